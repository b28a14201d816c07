//go:build unix

package rag

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// pdfMemory allocates the PDF reader's memory as one reserved mapping of
// its limit, which grows in place: the pages it never touches cost nothing,
// and growing never holds an old copy beside the new one, so the reader's
// memory stays within pdfMemoryPages.
var pdfMemory experimental.MemoryAllocator = experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
	return &mappedMemory{reserve: min(max, pdfMemoryPages<<16)}
})

type mappedMemory struct {
	reserve uint64
	buf     []byte
}

// Reallocate grows the memory to size bytes; nil when that is beyond the
// reserve or the mapping fails, which the reader takes as out of memory.
func (m *mappedMemory) Reallocate(size uint64) []byte {
	if size > m.reserve {
		return nil
	}
	if m.buf == nil {
		buf, err := syscall.Mmap(-1, 0, int(m.reserve), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			return nil
		}
		m.buf = buf
	}
	return m.buf[:size]
}

// Free unmaps the memory.
func (m *mappedMemory) Free() {
	if m.buf != nil {
		syscall.Munmap(m.buf[:cap(m.buf)])
		m.buf = nil
	}
}
