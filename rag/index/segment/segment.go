// Package segment reads and writes segments. A segment is one immutable
// file holding the passages of some articles: their text, their vectors
// and a BM25 inverted index over their terms.
// Everything a query needs is in it, so that opening a store reads files
// and builds nothing but the in-memory vector collection. Ingest writes a
// segment for the articles that changed; the manifest says which passages
// of which segments are live.
//
// Layout (little-endian): the magic, a header of counts, the offsets of the
// sections, then the sections:
//
//	vectors   chunks × dim × f32 (first, so that it is aligned: it is used
//	          in place, not copied)
//	docOffs   (docs+1) × u32   offsets into docBlob
//	docBlob   article names
//	chunkTab  chunks × 6 u32   doc, index, start, end, text end, term count
//	texts     chunk texts, concatenated
//	termOffs  (terms+1) × u32  offsets into termBlob; terms sorted
//	termBlob  the terms
//	termDF    terms × u32      passages that hold the term
//	postOffs  (terms+1) × u32  offsets into postings
//	postings  per term: uvarint (chunk − previous chunk, count) pairs
package segment

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"unsafe"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/internal/atomicfile"
	"github.com/qabot/qabot/rag/terms"
)

const segmentMagic = "QABOTSG2"

const (
	secVectors = iota
	secDocOffs
	secDocBlob
	secChunkTab
	secTexts
	secTermOffs
	secTermBlob
	secTermDF
	secPostOffs
	secPostings
	secEnd
	numSections
)

const chunkFields = 6

// segmentHeaderSize is the magic, four u32 counts, the total term count and
// the section offsets.
const segmentHeaderSize = len(segmentMagic) + 4*4 + 8 + 8*numSections

// Segment is a segment file, mapped into memory. Its vectors, texts and
// term index point into the mapping, which lives as long as the segment;
// the store copies what it hands out.
type Segment struct {
	name     string
	Dim      int
	Chunks   []document.Chunk
	Lengths  []uint32 // terms per chunk, for BM25
	TotalLen uint64
	Vectors  []float32 // chunk i is vectors[i*dim : (i+1)*dim]
	terms    int
	termOffs []byte
	termBlob []byte
	termDF   []byte
	postOffs []byte
	postings []byte
}

// errSegment marks a segment file that cannot be read.
var errSegment = errors.New("bad segment file")

func u32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }

// Read reads the segment file at path, its texts and vectors mapped into
// memory.
func Read(path, name string) (*Segment, error) {
	s := &Segment{name: name}
	raw, err := readOnlyFile(path, s)
	if err != nil {
		return nil, err
	}
	if len(raw) < segmentHeaderSize || string(raw[:len(segmentMagic)]) != segmentMagic {
		return nil, fmt.Errorf("%w: %s: not a qabot segment", errSegment, name)
	}
	h := raw[len(segmentMagic):]
	s.Dim, s.terms, s.TotalLen = int(u32(h, 0)), int(u32(h, 3)), binary.LittleEndian.Uint64(h[16:])
	nChunks, nDocs := int(u32(h, 1)), int(u32(h, 2))
	var off [numSections]uint64
	for i := range off {
		off[i] = binary.LittleEndian.Uint64(h[24+8*i:])
	}
	sec := func(i int) ([]byte, error) {
		if off[i] > off[i+1] || off[i+1] > uint64(len(raw)) || off[i] < uint64(segmentHeaderSize) {
			return nil, fmt.Errorf("%w: %s: section %d out of bounds", errSegment, name, i)
		}
		return raw[off[i]:off[i+1]], nil
	}
	if off[secEnd] != uint64(len(raw)) {
		return nil, fmt.Errorf("%w: %s: %d bytes, want %d (truncated?)", errSegment, name, len(raw), off[secEnd])
	}
	var parts [numSections - 1][]byte
	for i := range parts {
		if parts[i], err = sec(i); err != nil {
			return nil, err
		}
	}
	want := map[int]int{
		secDocOffs: 4 * (nDocs + 1), secChunkTab: 4 * chunkFields * nChunks, secVectors: 4 * nChunks * s.Dim,
		secTermOffs: 4 * (s.terms + 1), secTermDF: 4 * s.terms, secPostOffs: 4 * (s.terms + 1),
	}
	for i, n := range want {
		if len(parts[i]) != n {
			return nil, fmt.Errorf("%w: %s: section %d has %d bytes, want %d", errSegment, name, i, len(parts[i]), n)
		}
	}
	s.termOffs, s.termBlob, s.termDF, s.postOffs, s.postings = parts[secTermOffs], parts[secTermBlob], parts[secTermDF], parts[secPostOffs], parts[secPostings]
	if int(u32(s.termOffs, s.terms)) != len(s.termBlob) || int(u32(s.postOffs, s.terms)) != len(s.postings) {
		return nil, fmt.Errorf("%w: %s: term index does not match its data", errSegment, name)
	}
	docs := make([]string, nDocs)
	for i := range docs {
		a, b := u32(parts[secDocOffs], i), u32(parts[secDocOffs], i+1)
		if a > b || int(b) > len(parts[secDocBlob]) {
			return nil, fmt.Errorf("%w: %s: article names out of bounds", errSegment, name)
		}
		docs[i] = string(parts[secDocBlob][a:b])
	}
	// Texts stay in the mapping: copying them costs half of opening a
	// store. The store copies a text when it hands it out (Store.chunk).
	texts := unsafe.String(unsafe.SliceData(parts[secTexts]), len(parts[secTexts]))
	s.Chunks = make([]document.Chunk, nChunks)
	s.Lengths = make([]uint32, nChunks)
	tab := parts[secChunkTab]
	textStart := uint32(0)
	for i := range s.Chunks {
		f := func(k int) uint32 { return u32(tab, chunkFields*i+k) }
		doc, textEnd := f(0), f(4)
		if int(doc) >= nDocs || textEnd < textStart || int(textEnd) > len(texts) {
			return nil, fmt.Errorf("%w: %s: passage %d out of bounds", errSegment, name, i)
		}
		s.Chunks[i] = document.Chunk{Doc: docs[doc], Index: int(f(1)), Start: int(f(2)), End: int(f(3)), Text: texts[textStart:textEnd]}
		s.Lengths[i] = f(5)
		textStart = textEnd
	}
	s.Vectors = float32s(parts[secVectors])
	return s, nil
}

// float32s is b, little-endian float32s, as a slice: b itself where the
// machine is little-endian and b is aligned (as the vectors section of a
// file read whole is), else a decoded copy.
func float32s(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && uintptr(p)%unsafe.Alignof(float32(0)) == 0 {
		return unsafe.Slice((*float32)(p), len(b)/4)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(u32(b, i))
	}
	return out
}

// Vector is chunk i's embedding.
func (s *Segment) Vector(i int) []float32 { return s.Vectors[i*s.Dim : (i+1)*s.Dim : (i+1)*s.Dim] }

// Lookup finds term and returns the number of passages holding it and its
// postings.
func (s *Segment) Lookup(term string) (df int, postings []byte) {
	t := []byte(term)
	i := sort.Search(s.terms, func(i int) bool {
		return bytes.Compare(s.termBlob[u32(s.termOffs, i):u32(s.termOffs, i+1)], t) >= 0
	})
	if i == s.terms || !bytes.Equal(s.termBlob[u32(s.termOffs, i):u32(s.termOffs, i+1)], t) {
		return 0, nil
	}
	a, b := u32(s.postOffs, i), u32(s.postOffs, i+1)
	if a > b || int(b) > len(s.postings) {
		return 0, nil
	}
	return int(u32(s.termDF, i)), s.postings[a:b]
}

// EachPosting calls fn with every (chunk, count) pair of postings.
func EachPosting(postings []byte, fn func(chunk, count int)) {
	chunk := 0
	for len(postings) > 0 {
		delta, n := binary.Uvarint(postings)
		if n <= 0 {
			return
		}
		count, m := binary.Uvarint(postings[n:])
		if m <= 0 {
			return
		}
		postings = postings[n+m:]
		chunk += int(delta)
		fn(chunk, int(count))
	}
}

// Write writes chunks and their vectors (one per chunk, dim long) as
// a segment file at path, flushed to disk.
func Write(path string, chunks []document.Chunk, vectors [][]float32, dim int) error {
	var docs []string
	docIndex := map[string]uint32{}
	postings := map[string][]uint32{} // term -> chunk, count, chunk, count …
	tab := make([]uint32, 0, chunkFields*len(chunks))
	var texts bytes.Buffer
	var totalLen uint64
	for i, c := range chunks {
		d, ok := docIndex[c.Doc]
		if !ok {
			d = uint32(len(docs))
			docIndex[c.Doc] = d
			docs = append(docs, c.Doc)
		}
		texts.WriteString(c.Text)
		counts := termCounts(c.Text)
		length := 0
		for t, n := range counts {
			postings[t] = append(postings[t], uint32(i), uint32(n))
			length += n
		}
		totalLen += uint64(length)
		tab = append(tab, d, uint32(c.Index), uint32(c.Start), uint32(c.End), uint32(texts.Len()), uint32(length))
	}
	terms := make([]string, 0, len(postings))
	for t := range postings {
		terms = append(terms, t)
	}
	sort.Strings(terms)

	var docOffs, termOffs, termDF, postOffs []uint32
	var docBlob, termBlob, post bytes.Buffer
	for _, d := range docs {
		docOffs = append(docOffs, uint32(docBlob.Len()))
		docBlob.WriteString(d)
	}
	docOffs = append(docOffs, uint32(docBlob.Len()))
	var buf [2 * binary.MaxVarintLen32]byte
	for _, t := range terms {
		termOffs = append(termOffs, uint32(termBlob.Len()))
		termBlob.WriteString(t)
		postOffs = append(postOffs, uint32(post.Len()))
		p := postings[t]
		termDF = append(termDF, uint32(len(p)/2))
		prev := uint32(0)
		for k := 0; k < len(p); k += 2 {
			n := binary.PutUvarint(buf[:], uint64(p[k]-prev))
			n += binary.PutUvarint(buf[n:], uint64(p[k+1]))
			post.Write(buf[:n])
			prev = p[k]
		}
	}
	termOffs = append(termOffs, uint32(termBlob.Len()))
	postOffs = append(postOffs, uint32(post.Len()))
	if uint64(post.Len()) > math.MaxUint32 || uint64(texts.Len()) > math.MaxUint32 {
		return errors.New("segment too large")
	}
	vec := make([]uint32, 0, len(chunks)*dim)
	for i, v := range vectors {
		if len(v) != dim {
			return fmt.Errorf("passage %d: vector of %d dims, want %d", i, len(v), dim)
		}
		for _, x := range v {
			vec = append(vec, math.Float32bits(x))
		}
	}

	sections := []any{vec, docOffs, docBlob.Bytes(), tab, texts.Bytes(), termOffs, termBlob.Bytes(), termDF, postOffs, post.Bytes()}
	var off [numSections]uint64
	pos := uint64(segmentHeaderSize)
	for i, s := range sections {
		off[i] = pos
		pos += uint64(binary.Size(s))
	}
	off[secEnd] = pos

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	head := []any{[]byte(segmentMagic), []uint32{uint32(dim), uint32(len(chunks)), uint32(len(docs)), uint32(len(terms))}, totalLen, off[:]}
	for _, part := range append(head, sections...) {
		if err := binary.Write(w, binary.LittleEndian, part); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return atomicfile.SyncClose(f)
}

// termCounts counts the index terms of a passage: CJK characters and
// bigrams, and words, of the folded text.
func termCounts(text string) map[string]int {
	counts := map[string]int{}
	for _, t := range terms.Split(terms.Fold(text)) {
		counts[t.Text]++
	}
	return counts
}
