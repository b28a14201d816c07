package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print qabot's version, commit and Go version",
		Args:  usageArgs(cobra.NoArgs),
		// No config is needed to say which build this is.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(a.stdout, versionLine())
			return nil
		},
	}
}

// versionLine is "qabot VERSION (commit COMMIT[, modified], DATE) GOVERSION"
// when the build recorded its commit, else "qabot VERSION GOVERSION" and
// why there is no commit: go run records none, nor go build with
// -buildvcs=false or outside a git checkout.
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "qabot (no build information)"
	}
	commit, date, modified := "", "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value[:min(12, len(s.Value))]
		case "vcs.time":
			date = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if commit == "" {
		return fmt.Sprintf("qabot %s %s (no commit recorded: go run records none; go build -buildvcs=true in a git checkout does)", info.Main.Version, info.GoVersion)
	}
	if modified {
		commit += ", modified"
	}
	if date != "" {
		commit += ", " + date
	}
	return fmt.Sprintf("qabot %s (commit %s) %s", info.Main.Version, commit, info.GoVersion)
}

// version is the module version of the build, "(devel)" from a checkout.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.Main.Version
	}
	return "(devel)"
}
