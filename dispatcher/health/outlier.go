package health

import "time"

// tripped reports why s should be ejected now ("" when it should not). Called with s.mu
// held.
func (t *Tracker) tripped(s *supplierState, now time.Time) string {
	a := t.adaptive
	if !a.Enabled || s.ejected(now) {
		return ""
	}
	if a.ConsecutiveFailures > 0 && s.consecutive >= a.ConsecutiveFailures {
		return EjectedConsecutiveFailures
	}
	if a.FailurePercent > 0 {
		c := s.req.counts(now, s.statsSince)
		n := c.total()
		if n >= uint64(a.MinRequests) && n > 0 {
			fail := uint64(c[Transient]) + uint64(c[Timeout])
			if a.PenalizeThrottling {
				fail += uint64(c[Throttled])
			}
			if fail*100 >= uint64(a.FailurePercent)*n {
				return EjectedFailurePercent
			}
		}
	}
	return ""
}

func (s *supplierState) ejected(now time.Time) bool { return now.Before(s.ejectedUntil) }

// decay lowers the ejection count by one per full window the supplier spent un-ejected
// since its last ejection ended (or since the last decay). Called with s.mu held.
func (s *supplierState) decay(now time.Time, window time.Duration) {
	if s.ejectionCount == 0 || s.ejected(now) || window <= 0 {
		return
	}
	if s.decayRef.Before(s.ejectedUntil) {
		s.decayRef = s.ejectedUntil
	}
	n := int(now.Sub(s.decayRef) / window)
	if n <= 0 {
		return
	}
	s.ejectionCount = max(s.ejectionCount-n, 0)
	s.decayRef = s.decayRef.Add(time.Duration(n) * window)
}

// eject takes s out of rotation unless that would eject more than MaxEjectionPercent of
// the suppliers of any rule s belongs to (Envoy's max_ejection_percent, per rule).
// Lock order: ejectMu, then one supplier lock at a time.
func (t *Tracker) eject(s *supplierState, reason string, now time.Time) {
	t.ejectMu.Lock()
	defer t.ejectMu.Unlock()
	allowed := t.ejectionAllowed(s.name, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ejected(now) || t.tripped(s, now) == "" {
		return
	}
	if !allowed {
		s.suppressed = true
		return
	}
	a := t.adaptive
	s.decay(now, a.Window.Duration)
	s.ejectionCount++
	d := time.Duration(s.ejectionCount) * a.BaseEjectionTime.Duration
	if m := a.MaxEjectionTime.Duration; m > 0 && d > m {
		d = m
	}
	s.ejectedUntil = now.Add(d)
	s.decayRef = s.ejectedUntil
	s.ejectionReason = reason
	s.suppressed = false
	s.consecutive = 0
	s.statsSince = s.ejectedUntil
}

// ejectionAllowed reports whether one more of name's peers may be ejected in every peer
// group name belongs to: ejected peers + 1 ≤ ⌊len(group) × MaxEjectionPercent / 100⌋.
// Called with ejectMu held and no supplier lock.
func (t *Tracker) ejectionAllowed(name string, now time.Time) bool {
	t.mu.RLock()
	groups := t.peers[name]
	t.mu.RUnlock()
	for _, g := range groups {
		out := 0
		for _, peer := range g {
			if peer == name {
				continue
			}
			p := t.state(peer)
			p.mu.Lock()
			if p.ejected(now) {
				out++
			}
			p.mu.Unlock()
		}
		if (out+1)*100 > len(g)*t.adaptive.MaxEjectionPercent {
			return false
		}
	}
	return true
}
