package k3cloudtest

import (
	"strings"
	"time"
)

// Fault makes the next calls of a service fail or slow down.
type Fault struct {
	// Service is the short service name ("Save", "ExecuteBillQuery"), case-insensitive;
	// empty matches every service.
	Service string
	// Times is how many calls the fault hits; 0 = every call until ClearFaults.
	Times int
	// Latency is added before answering.
	Latency time.Duration
	// HTTPStatus answers with this status and Body.
	HTTPStatus int
	Body       string
	// AfterProcessing runs the call before answering HTTPStatus: the write happened but
	// the client never hears of it (a crash or a lost answer).
	AfterProcessing bool
	// ResponseError answers "response_error:" with this message.
	ResponseError string
	// MsgCode answers a business failure with this code and Message (13 network control,
	// 14 call limit, …).
	MsgCode int
	Message string
}

// admit counts the call and picks the fault that hits it.
func (s *Server) admit(svc string) (*Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[svc]++
	now := s.opts.Now()
	limited := false
	if s.opts.CallLimit > 0 {
		if now.Sub(s.window) >= s.opts.CallLimitWindow {
			s.window, s.inWindow = now, 0
		}
		s.inWindow++
		limited = s.inWindow > s.opts.CallLimit
	}
	for i, f := range s.faults {
		if f.Service != "" && !strings.EqualFold(f.Service, svc) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f, limited
	}
	return nil, limited
}

func faultLatency(f *Fault) time.Duration {
	if f == nil {
		return 0
	}
	return f.Latency
}

// InjectFault adds a fault; faults are matched in the order they were added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls returns how many calls each service (short name) received, logins included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// CallCount is how many calls one service (short name, case-insensitive) received.
func (s *Server) CallCount(service string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.calls {
		if strings.EqualFold(k, service) {
			n += v
		}
	}
	return n
}

// TotalCalls is every call received, logins included.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.calls {
		n += v
	}
	return n
}

// ResetCalls zeroes the counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}
