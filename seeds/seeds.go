// Package seeds embeds the default corpus: five Chinese news articles on
// Shanxi province's innovation policy.
package seeds

import "embed"

// FS holds the seed articles at its root.
//
//go:embed *.txt
var FS embed.FS
