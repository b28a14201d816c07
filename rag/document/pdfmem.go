package document

import "github.com/tetratelabs/wazero/experimental"

// pdfMemory allocates the PDF reader's memory as one slice of its limit,
// which grows in place: growing never holds an old copy beside the new one,
// so the reader's memory stays within PDFMemoryMiB, and the pages it
// never touches are never made resident. The slice is Go's, so that a
// reader killed at its deadline while it copies leaves nothing dangling.
var pdfMemory experimental.MemoryAllocator = experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
	return &reservedMemory{reserve: min(max, uint64(pdfMemoryPages())<<16)}
})

type reservedMemory struct {
	reserve uint64
	buf     []byte
}

// Reallocate grows the memory to size bytes; nil when that is beyond the
// reserve, which the reader takes as out of memory.
func (m *reservedMemory) Reallocate(size uint64) []byte {
	if size > m.reserve {
		return nil
	}
	if m.buf == nil {
		m.buf = make([]byte, m.reserve)
	}
	return m.buf[:size]
}

// Free lets the memory go.
func (m *reservedMemory) Free() { m.buf = nil }
