package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/qabot/qabot/config"
)

func (a *app) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration as YAML, with secrets redacted",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.cfg.File != "" {
				fmt.Fprintf(a.stdout, "# from %s, the QABOT_* environment and flags\n", a.cfg.File)
			} else {
				fmt.Fprintf(a.stdout, "# no config file (looked for %s); from defaults, the QABOT_* environment and flags\n", strings.Join(config.DefaultFiles(), ", "))
			}
			enc := yaml.NewEncoder(a.stdout)
			enc.SetIndent(2)
			if err := enc.Encode(a.cfg.Redacted()); err != nil {
				return err
			}
			return enc.Close()
		},
	}
}
