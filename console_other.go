//go:build !windows

package main

// attachConsole: a Unix program always has its terminal.
func attachConsole() {}
