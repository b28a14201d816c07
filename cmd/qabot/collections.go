package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
)

func (a *app) collectionsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "collections",
		Short: "List the collections in the data dir, with article and passage counts",
		Long: `List the collections (indexes) in the data dir: name, articles, passages, the folder
they were built from, and when. Use one with --collection NAME (or QABOT_COLLECTION).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := index.ListCollections(a.cfg.DataDir)
			if err != nil {
				return fmt.Errorf("read the data dir %s: %w", a.cfg.DataDir, err)
			}
			if len(list) == 0 {
				fmt.Fprintf(a.stdout, "no collections in %s yet: qabot ingest DIR creates one\n", a.cfg.DataDir)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tARTICLES\tPASSAGES\tBUILT FROM\tUPDATED")
			for _, c := range list {
				name := c.Name
				if name == a.cfg.Collection {
					name += " *"
				}
				if c.Err != nil {
					fmt.Fprintf(tw, "%s\t-\t-\t(%s)\t-\n", name, document.Printable(c.Err.Error()))
					continue
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", name, len(c.Manifest.Articles), c.Passages(), document.Printable(c.Manifest.Corpus),
					c.Manifest.Created.Local().Format(time.DateTime))
			}
			return tw.Flush()
		},
	}
}
