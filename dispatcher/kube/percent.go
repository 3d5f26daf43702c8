package kube

import (
	"math"
	"strconv"
)

// percent writes a fraction as the API's percentage string: one decimal at most, no
// trailing zeros ("98.5", "100", "0").
func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64)
}

// parsePercent reads a percentage string back as a fraction; "" and garbage read as -1.
func parsePercent(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return v / 100
}
