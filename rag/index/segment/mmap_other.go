//go:build !unix

package rag

import "os"

// readOnlyFile reads the file at path whole.
func readOnlyFile[T any](path string, _ *T) ([]byte, error) { return os.ReadFile(path) }
