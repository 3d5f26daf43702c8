package health

import (
	"fmt"
	"time"
	_ "time/tzdata" // supplier time zones resolve even in images without /usr/share/zoneinfo

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// calendar counts a supplier's orders per business day and per clock hour in the
// supplier's time zone. The business day of an order placed at or after the cutoff
// (Capacity.Cutoff, "HH:MM") is the next calendar day: it counts against tomorrow's quota.
type calendar struct {
	loc       *time.Location
	cutoff    int // minutes after midnight; -1 when the supplier has no cutoff
	perDay    int64
	perHour   int64
	dayKey    int64
	dayCount  int64
	hourKey   int64
	hourCount int64
}

func newCalendar(c config.Capacity) (calendar, error) {
	tz := c.Timezone
	if tz == "" {
		tz = config.DefaultTimezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return calendar{}, fmt.Errorf("cannot load time zone %q: %w", tz, err)
	}
	cal := calendar{loc: loc, cutoff: -1, perDay: int64(c.PerDay), perHour: int64(c.PerHour)}
	if c.Cutoff != "" {
		var h, m int
		if _, err := fmt.Sscanf(c.Cutoff, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
			return calendar{}, fmt.Errorf("cannot parse cutoff %q: want HH:MM", c.Cutoff)
		}
		cal.cutoff = h*60 + m
	}
	return cal, nil
}

// afterCutoff reports whether t is at or past the cutoff of its local calendar day.
func (c *calendar) afterCutoff(t time.Time) bool {
	if c.cutoff < 0 {
		return false
	}
	l := t.In(c.loc)
	return l.Hour()*60+l.Minute() >= c.cutoff
}

// businessDay is the local date an order placed at t counts against.
func (c *calendar) businessDay(t time.Time) time.Time {
	l := t.In(c.loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, c.loc)
	if c.afterCutoff(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func dateKey(d time.Time) int64 { return int64(d.Year())*10000 + int64(d.Month())*100 + int64(d.Day()) }

func (c *calendar) hourOf(t time.Time) int64 {
	l := t.In(c.loc)
	return dateKey(l)*100 + int64(l.Hour())
}

// add counts n orders placed at t.
func (c *calendar) add(t time.Time, n int64) {
	if k := dateKey(c.businessDay(t)); k == c.dayKey {
		c.dayCount += n
	} else if k > c.dayKey {
		c.dayKey, c.dayCount = k, n
	}
	if k := c.hourOf(t); k == c.hourKey {
		c.hourCount += n
	} else if k > c.hourKey {
		c.hourKey, c.hourCount = k, n
	}
}

// set replaces the counts of the business day and hour of t (seeding after a restart).
func (c *calendar) set(t time.Time, day, hour int64) {
	c.dayKey, c.dayCount = dateKey(c.businessDay(t)), day
	c.hourKey, c.hourCount = c.hourOf(t), hour
}

// usage returns the orders counted for the business day and hour of now.
func (c *calendar) usage(now time.Time) (day, hour int64) {
	if dateKey(c.businessDay(now)) == c.dayKey {
		day = c.dayCount
	}
	if c.hourOf(now) == c.hourKey {
		hour = c.hourCount
	}
	return day, hour
}

// remaining is limit − used, never negative; nil when there is no limit.
func remaining(limit, used int64) *int64 {
	if limit <= 0 {
		return nil
	}
	r := max(limit-used, 0)
	return &r
}
