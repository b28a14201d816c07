package ragtest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
)

// Dimensions of the tiny model: a llama of two layers, small enough to
// write in a test and to load in a fraction of a second.
const (
	tinyHidden = 64
	tinyHeads  = 4
	tinyFFN    = 128
	tinyLayers = 2
)

// WriteTinyModel writes a GGUF (version 3) model file that a real model
// server (Ollama, llama.cpp) loads and runs: the llama architecture, random
// weights, and a SentencePiece vocabulary of the 256 bytes (so that any
// UTF-8 text is tokenised), printable ASCII, and one token per CJK
// character, so that its token counts of Chinese text come close to those
// of real tokenisers. Its answers are noise; what it tests is the protocol,
// the context window and the server's behaviour.
func WriteTinyModel(path string) error {
	vocab := []string{"<unk>", "<s>", "</s>"}
	types := []int32{2, 3, 3}
	for b := 0; b < 256; b++ {
		vocab = append(vocab, fmt.Sprintf("<0x%02X>", b))
		types = append(types, 6)
	}
	vocab = append(vocab, "▁")
	types = append(types, 1)
	for r := rune(0x21); r < 0x7f; r++ {
		vocab = append(vocab, string(r))
		types = append(types, 1)
	}
	for r := rune(0x4e00); r <= 0x9fff; r++ {
		vocab = append(vocab, string(r))
		types = append(types, 1)
	}
	for _, r := range "，。、：；？！“”（）《》" {
		vocab = append(vocab, string(r))
		types = append(types, 1)
	}
	scores := make([]float32, len(vocab))
	for i := range scores {
		scores[i] = -float32(i)
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := &ggufWriter{w: bufio.NewWriter(f)}
	meta := []func(){
		func() { w.kv("general.architecture", "llama") },
		func() { w.kv("general.name", "qabot-tiny") },
		func() { w.kv("general.alignment", uint32(32)) },
		func() { w.kv("llama.context_length", uint32(32768)) },
		func() { w.kv("llama.embedding_length", uint32(tinyHidden)) },
		func() { w.kv("llama.block_count", uint32(tinyLayers)) },
		func() { w.kv("llama.feed_forward_length", uint32(tinyFFN)) },
		func() { w.kv("llama.attention.head_count", uint32(tinyHeads)) },
		func() { w.kv("llama.attention.head_count_kv", uint32(tinyHeads)) },
		func() { w.kv("llama.attention.layer_norm_rms_epsilon", float32(1e-5)) },
		func() { w.kv("llama.rope.dimension_count", uint32(tinyHidden/tinyHeads)) },
		func() { w.kv("llama.vocab_size", uint32(len(vocab))) },
		func() { w.kv("tokenizer.ggml.model", "llama") },
		func() { w.kv("tokenizer.ggml.tokens", vocab) },
		func() { w.kv("tokenizer.ggml.scores", scores) },
		func() { w.kv("tokenizer.ggml.token_type", types) },
		func() { w.kv("tokenizer.ggml.unknown_token_id", uint32(0)) },
		func() { w.kv("tokenizer.ggml.bos_token_id", uint32(1)) },
		func() { w.kv("tokenizer.ggml.eos_token_id", uint32(2)) },
	}
	type tensor struct {
		name string
		dims []uint64
	}
	n := uint64(len(vocab))
	tensors := []tensor{{"token_embd.weight", []uint64{tinyHidden, n}}, {"output_norm.weight", []uint64{tinyHidden}}}
	for l := range tinyLayers {
		p := fmt.Sprintf("blk.%d.", l)
		tensors = append(tensors,
			tensor{p + "attn_norm.weight", []uint64{tinyHidden}},
			tensor{p + "attn_q.weight", []uint64{tinyHidden, tinyHidden}},
			tensor{p + "attn_k.weight", []uint64{tinyHidden, tinyHidden}},
			tensor{p + "attn_v.weight", []uint64{tinyHidden, tinyHidden}},
			tensor{p + "attn_output.weight", []uint64{tinyHidden, tinyHidden}},
			tensor{p + "ffn_norm.weight", []uint64{tinyHidden}},
			tensor{p + "ffn_gate.weight", []uint64{tinyHidden, tinyFFN}},
			tensor{p + "ffn_up.weight", []uint64{tinyHidden, tinyFFN}},
			tensor{p + "ffn_down.weight", []uint64{tinyFFN, tinyHidden}},
		)
	}

	w.raw([]byte("GGUF"))
	w.raw(uint32(3))
	w.raw(uint64(len(tensors)))
	w.raw(uint64(len(meta)))
	for _, m := range meta {
		m()
	}
	offset := uint64(0)
	sizes := make([]uint64, len(tensors))
	for i, t := range tensors {
		w.str(t.name)
		w.raw(uint32(len(t.dims)))
		count := uint64(1)
		for _, d := range t.dims {
			w.raw(d)
			count *= d
		}
		w.raw(uint32(0)) // F32
		w.raw(offset)
		sizes[i] = count * 4
		offset += align(sizes[i])
	}
	w.pad()
	rng := rand.New(rand.NewPCG(1, 2))
	for i, t := range tensors {
		norm := len(t.dims) == 1
		for range sizes[i] / 4 {
			v := float32(rng.NormFloat64() * 0.02)
			if norm {
				v = 1
			}
			w.raw(math.Float32bits(v))
		}
		w.pad()
	}
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if err := f.Close(); w.err == nil {
		w.err = err
	}
	return w.err
}

func align(n uint64) uint64 { return (n + 31) / 32 * 32 }

// ggufWriter writes GGUF's little-endian values, keeping the first error.
type ggufWriter struct {
	w   *bufio.Writer
	n   uint64
	err error
}

func (g *ggufWriter) raw(v any) {
	if g.err != nil {
		return
	}
	if b, ok := v.([]byte); ok {
		_, g.err = g.w.Write(b)
		g.n += uint64(len(b))
		return
	}
	g.err = binary.Write(g.w, binary.LittleEndian, v)
	g.n += uint64(binary.Size(v))
}

func (g *ggufWriter) str(s string) {
	g.raw(uint64(len(s)))
	g.raw([]byte(s))
}

// pad fills up to the next 32-byte boundary.
func (g *ggufWriter) pad() {
	if rest := align(g.n) - g.n; rest > 0 {
		g.raw(make([]byte, rest))
	}
}

// kv writes one metadata entry; GGUF value types: 4 uint32, 5 int32,
// 6 float32, 8 string, 9 array.
func (g *ggufWriter) kv(key string, v any) {
	g.str(key)
	switch v := v.(type) {
	case uint32:
		g.raw(uint32(4))
		g.raw(v)
	case float32:
		g.raw(uint32(6))
		g.raw(v)
	case string:
		g.raw(uint32(8))
		g.str(v)
	case []string:
		g.raw(uint32(9))
		g.raw(uint32(8))
		g.raw(uint64(len(v)))
		for _, s := range v {
			g.str(s)
		}
	case []float32:
		g.raw(uint32(9))
		g.raw(uint32(6))
		g.raw(uint64(len(v)))
		g.raw(v)
	case []int32:
		g.raw(uint32(9))
		g.raw(uint32(5))
		g.raw(uint64(len(v)))
		g.raw(v)
	default:
		g.err = fmt.Errorf("gguf: no type for %T", v)
	}
}
