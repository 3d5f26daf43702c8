package app

import (
	"context"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// seedQuotas reads from the journal how many lines each supplier accepted in its current
// business day and clock hour, so that a restarted dispatcher does not hand out a day's
// quota a second time.
func seedQuotas(ctx context.Context, st store.Store, cfg *config.DispatcherConfig, t *health.Tracker, now time.Time) error {
	for _, s := range cfg.Suppliers {
		day, hour, err := quotaStarts(s.Capacity, now)
		if err != nil {
			return err
		}
		today, err := st.AcceptedSince(ctx, day)
		if err != nil {
			return fmt.Errorf("cannot read accepted counts of supplier %q: %w", s.Name, err)
		}
		thisHour, err := st.AcceptedSince(ctx, hour)
		if err != nil {
			return fmt.Errorf("cannot read accepted counts of supplier %q: %w", s.Name, err)
		}
		t.SetOrderCounts(s.Name, now, today[s.Name], thisHour[s.Name])
	}
	return nil
}

// quotaStarts returns when the business day and the clock hour of now began in the
// supplier's time zone. With a cutoff ("HH:MM") the business day runs from one day's
// cutoff to the next (orders after the cutoff count against tomorrow); without one it is
// the calendar day.
func quotaStarts(c config.Capacity, now time.Time) (day, hour time.Time, err error) {
	tz := c.Timezone
	if tz == "" {
		tz = config.DefaultTimezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("cannot load time zone %q: %w", tz, err)
	}
	l := now.In(loc)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	hour = time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, loc)
	if c.Cutoff == "" {
		return midnight, hour, nil
	}
	var h, m int
	if _, err := fmt.Sscanf(c.Cutoff, "%d:%d", &h, &m); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("cannot parse cutoff %q: want HH:MM", c.Cutoff)
	}
	cut := time.Date(l.Year(), l.Month(), l.Day(), h, m, 0, 0, loc)
	if l.Before(cut) {
		cut = cut.AddDate(0, 0, -1)
	}
	return cut, hour, nil
}
