// Package e2e runs the whole chain against a real API server: the operator's reconcilers
// in a manager, the dispatcher process the operator rendered (run by test/podrun), and
// supplier simulators on loopback.
package e2e
