//go:build unix

package segment

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// readOnlyFile maps the file at path into memory, read-only: opening a
// store touches only the pages a query needs, and the page cache is shared
// between processes. The mapping is released when owner is collected.
// Segment files are never changed once written, only removed, which a
// mapping survives.
func readOnlyFile[T any](path string, owner *T) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() == 0 {
		return nil, nil
	}
	if info.Size() != int64(int(info.Size())) {
		return nil, fmt.Errorf("%s: too large to map", path)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(info.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return os.ReadFile(path) // e.g. a file system that cannot map
	}
	runtime.AddCleanup(owner, func(b []byte) { _ = syscall.Munmap(b) }, data)
	return data, nil
}
