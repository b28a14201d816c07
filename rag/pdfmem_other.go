//go:build !unix

package rag

import "github.com/tetratelabs/wazero/experimental"

// pdfMemory is wazero's own allocator where memory cannot be mapped.
var pdfMemory experimental.MemoryAllocator
