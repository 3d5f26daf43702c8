// Package version holds the build version, stamped with -ldflags at build time.
package version

// Version is set by the Makefile and Dockerfile ("dev" otherwise).
var Version = "dev"
