// Numbers as runc 1.1.5 reads them from its command line (issue 10 class 6).
//
//	oracle numbers strconv KIND TEXT
//	    Go's strconv on TEXT: KIND atoi (strconv.Atoi), int64/int32
//	    (ParseInt base 10), uint64/uint32 (ParseUint base 10).  Prints the
//	    value, "syntax" or "range" (the rows of tests/unit/numbers-cases.tsv).
//	oracle numbers exec ARGS...
//	    `runc exec ARGS... <id> <cmd>` with runc's own flag definitions
//	    (exec.go: --user/-u StringFlag, --additional-gids/-g Int64SliceFlag)
//	    parsed by urfave/cli v1 (Debian's golang-github-urfave-cli-dev), then
//	    getProcess's user code, verbatim, over a config user of 1000:1000.
//	    Prints "uid=U gid=G gids=A,B" (what the exec'd process gets) or
//	    "ERROR: ..." (runc refuses the exec).
//
// JSON numbers (uid, gid, additionalGids of config.json / process.json) are
// the main oracle's: encoding/json into uint32, where "-0", 4294967296, 1e0
// and 0.0 are decode errors.
package main

import (
	"errors"
	"fmt"
	"io/ioutil"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli"
)

func init() {
	subcommands["numbers"] = numbersMain
}

func numbersMain(args []string) int {
	if len(args) >= 1 && args[0] == "strconv" && len(args) == 3 {
		fmt.Println(strconvAnswer(args[1], args[2]))
		return 0
	}
	if len(args) >= 1 && args[0] == "exec" {
		return numbersExec(args[1:])
	}
	fmt.Println("usage: oracle numbers strconv KIND TEXT | exec ARGS...")
	return 2
}

func strconvAnswer(kind, s string) string {
	var v interface{}
	var err error
	switch kind {
	case "atoi":
		v, err = strconv.Atoi(s)
	case "int64":
		v, err = strconv.ParseInt(s, 10, 64)
	case "int32":
		v, err = strconv.ParseInt(s, 10, 32)
	case "uint64":
		v, err = strconv.ParseUint(s, 10, 64)
	case "uint32":
		v, err = strconv.ParseUint(s, 10, 32)
	default:
		return "unknown kind"
	}
	switch {
	case errors.Is(err, strconv.ErrRange):
		return "range"
	case errors.Is(err, strconv.ErrSyntax):
		return "syntax"
	case err != nil:
		return "error: " + err.Error()
	}
	return fmt.Sprint(v)
}

// getProcessUser is runc 1.1.5 exec.go getProcess, the lines that read
// --user and --additional-gids (git show v1.1.5:exec.go, lines 243-264).
func getProcessUser(context *cli.Context, p *specs.Process) error {
	// override the user, if passed
	if context.String("user") != "" {
		u := strings.SplitN(context.String("user"), ":", 2)
		if len(u) > 1 {
			gid, err := strconv.Atoi(u[1])
			if err != nil {
				return fmt.Errorf("parsing %s as int for gid failed: %w", u[1], err)
			}
			p.User.GID = uint32(gid)
		}
		uid, err := strconv.Atoi(u[0])
		if err != nil {
			return fmt.Errorf("parsing %s as int for uid failed: %w", u[0], err)
		}
		p.User.UID = uint32(uid)
	}
	for _, gid := range context.Int64Slice("additional-gids") {
		if gid < 0 {
			return fmt.Errorf("additional-gids must be a positive number %d", gid)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(gid))
	}
	return nil
}

func numbersExec(args []string) int {
	result := ""
	app := cli.NewApp()
	app.Name = "runc"
	app.Writer, app.ErrWriter = ioutil.Discard, ioutil.Discard
	app.Commands = []cli.Command{{
		Name: "exec",
		// exec.go's definitions of the two flags (and the rest of its flags
		// that take a value, so that they are skipped the same way).
		Flags: []cli.Flag{
			cli.StringFlag{Name: "user, u"},
			cli.Int64SliceFlag{Name: "additional-gids, g"},
			cli.StringSliceFlag{Name: "env, e"},
			cli.StringFlag{Name: "cwd"},
			cli.BoolFlag{Name: "tty, t"},
			cli.BoolFlag{Name: "detach,d"},
		},
		Action: func(context *cli.Context) error {
			p := specs.Process{User: specs.User{UID: 1000, GID: 1000}}
			if err := getProcessUser(context, &p); err != nil {
				return err
			}
			gids := make([]string, len(p.User.AdditionalGids))
			for i, g := range p.User.AdditionalGids {
				gids[i] = strconv.FormatUint(uint64(g), 10)
			}
			result = fmt.Sprintf("uid=%d gid=%d gids=%s", p.User.UID, p.User.GID, strings.Join(gids, ","))
			return nil
		},
	}}
	full := append([]string{"runc", "exec"}, args...)
	if err := app.Run(full); err != nil {
		fmt.Printf("ERROR: %v\n", err)
		return 1
	}
	if result == "" {
		fmt.Println("ERROR: exec did not run")
		return 1
	}
	fmt.Println(result)
	return 0
}
