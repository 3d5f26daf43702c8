package health

import (
	"context"
	"errors"
	"os"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// OutcomeOf classifies the error a supplier adapter returned: nil is Success, a
// supplier.Error of kind Throttled or Rejected is that, a deadline (context or I/O
// deadline, or any error with Timeout() true) is Timeout, anything else Transient.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return Success
	}
	switch supplier.KindOf(err) {
	case supplier.Throttled:
		return Throttled
	case supplier.Rejected:
		return Rejected
	}
	var te interface{ Timeout() bool }
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &te) && te.Timeout()) {
		return Timeout
	}
	return Transient
}
