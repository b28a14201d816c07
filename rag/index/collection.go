package index

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

// DefaultCollection is the collection commands use unless told otherwise.
const DefaultCollection = "default"

// validCollection matches collection names: they name a folder.
var validCollection = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// CheckCollectionName reports why name cannot name a collection.
func CheckCollectionName(name string) error {
	if !validCollection.MatchString(name) {
		return fmt.Errorf("collection name %q: use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit", name)
	}
	return nil
}

// CollectionDir is the directory of the named collection in dataDir.
func CollectionDir(dataDir, name string) string {
	return filepath.Join(dataDir, "collections", name)
}

// ReadLiveManifest reads the manifest of the live index in dir, without
// loading the index.
func ReadLiveManifest(dir string) (Manifest, error) {
	name, err := currentManifest(dir)
	if err != nil {
		return Manifest{}, err
	}
	m, err := readManifest(filepath.Join(dir, name))
	if err != nil {
		return m, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	return m, nil
}

// CollectionInfo describes one collection of a data dir.
type CollectionInfo struct {
	Name     string
	Manifest Manifest // zero when Err is set
	Err      error    // the collection's index cannot be read
}

// Passages is the number of passages in the collection's index.
func (c CollectionInfo) Passages() int { return c.Manifest.Passages() }

// Passages is the number of passages the manifest lists.
func (m Manifest) Passages() int { return totalChunks(m) }

// ListCollections describes the collections in dataDir, by name.
func ListCollections(dataDir string) ([]CollectionInfo, error) {
	entries, err := os.ReadDir(filepath.Join(dataDir, "collections"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []CollectionInfo
	for _, e := range entries {
		if !e.IsDir() || CheckCollectionName(e.Name()) != nil {
			continue
		}
		m, err := ReadLiveManifest(CollectionDir(dataDir, e.Name()))
		out = append(out, CollectionInfo{Name: e.Name(), Manifest: m, Err: err})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// LegacyCorpus returns the corpus that an index in the layout of earlier
// versions (data_dir/CURRENT naming a gen-* folder) was built from, so that
// it can be indexed again into the default collection.
func LegacyCorpus(dataDir string) (string, bool) {
	raw, err := os.ReadFile(filepath.Join(dataDir, currentFile))
	if err != nil {
		return "", false
	}
	gen := filepath.Base(string(bytes.TrimSpace(raw)))
	m, err := readManifest(filepath.Join(dataDir, gen, "manifest.json"))
	if err != nil || m.Corpus == "" {
		return "", false
	}
	return m.Corpus, true
}

// RemoveLegacy deletes an index in the layout of earlier versions.
func RemoveLegacy(dataDir string) {
	gens, _ := filepath.Glob(filepath.Join(dataDir, "gen-*"))
	tmps, _ := filepath.Glob(filepath.Join(dataDir, "tmp-*"))
	for _, g := range append(gens, tmps...) {
		os.RemoveAll(g)
	}
	os.Remove(filepath.Join(dataDir, currentFile))
	os.Remove(filepath.Join(dataDir, "ingest.lock"))
}
