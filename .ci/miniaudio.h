/* A stand-in for miniaudio.h, which Go module zips of Ollama leave out
 * (nested vendor folders are dropped) and Debian does not package. Only
 * audio input of multimodal models uses it: every call here fails, so such
 * input is refused. qabot's CI builds Ollama with it to test against a real
 * server, on text only. */
#ifndef QABOT_MINIAUDIO_STUB_H
#define QABOT_MINIAUDIO_STUB_H
#include <stddef.h>
typedef int ma_result;
typedef unsigned long long ma_uint64;
typedef unsigned int ma_uint32;
#define MA_SUCCESS 0
#define MA_ERROR (-1)
typedef enum { ma_format_unknown = 0, ma_format_f32 = 5 } ma_format;
typedef enum { ma_encoding_format_unknown = 0, ma_encoding_format_wav } ma_encoding_format;
typedef struct { ma_format format; ma_uint32 channels; ma_uint32 sampleRate; } ma_decoder_config;
typedef struct { int unused; } ma_decoder;
typedef struct { ma_encoding_format encodingFormat; ma_format format; ma_uint32 channels; ma_uint32 sampleRate; } ma_encoder_config;
typedef struct { int unused; } ma_encoder;
static ma_decoder_config ma_decoder_config_init(ma_format f, ma_uint32 c, ma_uint32 r) { ma_decoder_config d = {f, c, r}; return d; }
static ma_result ma_decoder_init_memory(const void *p, size_t n, const ma_decoder_config *c, ma_decoder *d) { (void)p; (void)n; (void)c; (void)d; return MA_ERROR; }
static ma_result ma_decoder_get_length_in_pcm_frames(ma_decoder *d, ma_uint64 *n) { (void)d; *n = 0; return MA_ERROR; }
static ma_result ma_decoder_read_pcm_frames(ma_decoder *d, void *p, ma_uint64 n, ma_uint64 *r) { (void)d; (void)p; (void)n; *r = 0; return MA_ERROR; }
static ma_result ma_decoder_uninit(ma_decoder *d) { (void)d; return MA_SUCCESS; }
static ma_encoder_config ma_encoder_config_init(ma_encoding_format e, ma_format f, ma_uint32 c, ma_uint32 r) { ma_encoder_config x = {e, f, c, r}; return x; }
static ma_result ma_encoder_init_file(const char *p, const ma_encoder_config *c, ma_encoder *e) { (void)p; (void)c; (void)e; return MA_ERROR; }
static ma_result ma_encoder_write_pcm_frames(ma_encoder *e, const void *p, ma_uint64 n, ma_uint64 *w) { (void)e; (void)p; (void)n; *w = 0; return MA_ERROR; }
static void ma_encoder_uninit(ma_encoder *e) { (void)e; }
#endif
