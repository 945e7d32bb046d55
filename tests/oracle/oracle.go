// Command oracle decodes an OCI document exactly as runc 1.1 does and prints
// the security-relevant part of what runc would see, as canonical JSON.
//
// It is the referee of the adversarial suite and of the differential fuzz
// checks (security.md §2.1 rule 6): whatever secshim accepts must mean the
// same thing here, because this is runc's own decoder on runc's own types.
//
//	oracle [--process] [--decode-only] [--full] FILE
//
// Config mode follows runc's loadSpec (utils.go / spec.go):
//
//	json.NewDecoder(f).Decode(&spec)   // spec *specs.Spec
//	validateProcessSpec(spec.Process)
//
// --process follows exec.go getProcess: decode into specs.Process, then
// validateProcessSpec.  --decode-only skips validateProcessSpec (the
// SELinux-enabled check is never applied: this host has no SELinux).
// --full prints the whole decoded struct instead of the projection.
//
// On a decoder or validation error it prints "ERROR: <message>" on stdout
// and exits 1, as runc would refuse the document.  Built offline with
// Debian's golang-go and golang-github-opencontainers-specs-dev
// (tests/oracle/build.sh).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// caps is the projection of process.capabilities; nil sets print as [].
type caps struct {
	Bounding    []string `json:"bounding"`
	Effective   []string `json:"effective"`
	Inheritable []string `json:"inheritable"`
	Permitted   []string `json:"permitted"`
	Ambient     []string `json:"ambient"`
}

type process struct {
	UID             uint32              `json:"uid"`
	GID             uint32              `json:"gid"`
	AdditionalGids  []uint32            `json:"additionalGids"`
	Umask           *uint32             `json:"umask"`
	Caps            *caps               `json:"capabilities"`
	NoNewPrivileges bool                `json:"noNewPrivileges"`
	ApparmorProfile string              `json:"apparmorProfile"`
	SelinuxLabel    string              `json:"selinuxLabel"`
	Cwd             string              `json:"cwd"`
	Env             []string            `json:"env"`
	Args            []string            `json:"args"`
	Terminal        bool                `json:"terminal"`
	Rlimits         []specs.POSIXRlimit `json:"rlimits"`
	OOMScoreAdj     *int                `json:"oomScoreAdj"`
}

type mount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type"`
	Source      string   `json:"source"`
	Options     []string `json:"options"`
}

type hook struct {
	Path    string   `json:"path"`
	Args    []string `json:"args"`
	Env     []string `json:"env"`
	Timeout *int     `json:"timeout"`
}

type hooks struct {
	Prestart        []hook `json:"prestart"`
	CreateRuntime   []hook `json:"createRuntime"`
	CreateContainer []hook `json:"createContainer"`
	StartContainer  []hook `json:"startContainer"`
	Poststart       []hook `json:"poststart"`
	Poststop        []hook `json:"poststop"`
}

type seccomp struct {
	DefaultAction   string   `json:"defaultAction"`
	DefaultErrnoRet *uint    `json:"defaultErrnoRet"`
	Architectures   []string `json:"architectures"`
	Flags           []string `json:"flags"`
	ListenerPath    string   `json:"listenerPath"`
	Syscalls        int      `json:"syscalls"`
	// sha256 of the canonical JSON of the decoded syscall rules, so two
	// documents with the same rules in the same order hash the same.
	SyscallsSha256 string `json:"syscallsSha256"`
}

type namespace struct {
	Type string `json:"type"`
	Path string `json:"path"`
}

type root struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly"`
}

type projection struct {
	Process *process `json:"process"`
	// Config only (omitted in --process mode).
	Root              *root                      `json:"root,omitempty"`
	Mounts            *[]mount                   `json:"mounts,omitempty"`
	Hooks             *hooks                     `json:"hooks,omitempty"`
	Annotations       *map[string]string         `json:"annotations,omitempty"`
	Namespaces        *[]namespace               `json:"namespaces,omitempty"`
	UIDMappings       *[]specs.LinuxIDMapping    `json:"uidMappings,omitempty"`
	GIDMappings       *[]specs.LinuxIDMapping    `json:"gidMappings,omitempty"`
	Seccomp           **seccomp                  `json:"seccomp,omitempty"`
	Devices           *[]specs.LinuxDevice       `json:"devices,omitempty"`
	DeviceCgroup      *[]specs.LinuxDeviceCgroup `json:"deviceCgroup,omitempty"`
	Sysctl            *map[string]string         `json:"sysctl,omitempty"`
	MaskedPaths       *[]string                  `json:"maskedPaths,omitempty"`
	ReadonlyPaths     *[]string                  `json:"readonlyPaths,omitempty"`
	RootfsPropagation *string                    `json:"rootfsPropagation,omitempty"`
	MountLabel        *string                    `json:"mountLabel,omitempty"`
	CgroupsPath       *string                    `json:"cgroupsPath,omitempty"`
}

// validateProcessSpec is runc 1.1's (utils_linux.go), minus the SELinux check.
func validateProcessSpec(p *specs.Process) error {
	if p == nil {
		return errors.New("process property must not be empty")
	}
	if p.Cwd == "" {
		return errors.New("Cwd property must not be empty")
	}
	if !filepath.IsAbs(p.Cwd) {
		return errors.New("Cwd must be an absolute path")
	}
	if len(p.Args) == 0 {
		return errors.New("args must not be empty")
	}
	return nil
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func projectProcess(p *specs.Process) *process {
	if p == nil {
		return nil
	}
	out := &process{
		UID:             p.User.UID,
		GID:             p.User.GID,
		AdditionalGids:  p.User.AdditionalGids,
		Umask:           p.User.Umask,
		NoNewPrivileges: p.NoNewPrivileges,
		ApparmorProfile: p.ApparmorProfile,
		SelinuxLabel:    p.SelinuxLabel,
		Cwd:             p.Cwd,
		Env:             strs(p.Env),
		Args:            strs(p.Args),
		Terminal:        p.Terminal,
		Rlimits:         p.Rlimits,
		OOMScoreAdj:     p.OOMScoreAdj,
	}
	if out.AdditionalGids == nil {
		out.AdditionalGids = []uint32{}
	}
	if out.Rlimits == nil {
		out.Rlimits = []specs.POSIXRlimit{}
	}
	if c := p.Capabilities; c != nil {
		out.Caps = &caps{strs(c.Bounding), strs(c.Effective), strs(c.Inheritable),
			strs(c.Permitted), strs(c.Ambient)}
	}
	return out
}

func projectHooks(hs []specs.Hook) []hook {
	out := []hook{}
	for _, h := range hs {
		out = append(out, hook{h.Path, strs(h.Args), strs(h.Env), h.Timeout})
	}
	return out
}

func projectConfig(s *specs.Spec) *projection {
	out := &projection{Process: projectProcess(s.Process)}
	if s.Root != nil {
		out.Root = &root{s.Root.Path, s.Root.Readonly}
	}
	mounts := []mount{}
	for _, m := range s.Mounts {
		mounts = append(mounts, mount{m.Destination, m.Type, m.Source, strs(m.Options)})
	}
	out.Mounts = &mounts
	h := hooks{}
	if s.Hooks != nil {
		h = hooks{projectHooks(s.Hooks.Prestart), projectHooks(s.Hooks.CreateRuntime),
			projectHooks(s.Hooks.CreateContainer), projectHooks(s.Hooks.StartContainer),
			projectHooks(s.Hooks.Poststart), projectHooks(s.Hooks.Poststop)}
	} else {
		h = hooks{[]hook{}, []hook{}, []hook{}, []hook{}, []hook{}, []hook{}}
	}
	out.Hooks = &h
	ann := s.Annotations
	if ann == nil {
		ann = map[string]string{}
	}
	out.Annotations = &ann

	l := s.Linux
	if l == nil {
		l = &specs.Linux{}
	}
	ns := []namespace{}
	for _, n := range l.Namespaces {
		ns = append(ns, namespace{string(n.Type), n.Path})
	}
	out.Namespaces = &ns
	uidm, gidm := l.UIDMappings, l.GIDMappings
	if uidm == nil {
		uidm = []specs.LinuxIDMapping{}
	}
	if gidm == nil {
		gidm = []specs.LinuxIDMapping{}
	}
	out.UIDMappings, out.GIDMappings = &uidm, &gidm
	var sc *seccomp
	if l.Seccomp != nil {
		sc = &seccomp{DefaultAction: string(l.Seccomp.DefaultAction),
			DefaultErrnoRet: l.Seccomp.DefaultErrnoRet,
			Architectures:   []string{}, Flags: []string{},
			ListenerPath: l.Seccomp.ListenerPath, Syscalls: len(l.Seccomp.Syscalls)}
		for _, a := range l.Seccomp.Architectures {
			sc.Architectures = append(sc.Architectures, string(a))
		}
		for _, f := range l.Seccomp.Flags {
			sc.Flags = append(sc.Flags, string(f))
		}
		rules := l.Seccomp.Syscalls
		if rules == nil {
			rules = []specs.LinuxSyscall{}
		}
		b, _ := json.Marshal(rules)
		sum := sha256.Sum256(b)
		sc.SyscallsSha256 = hex.EncodeToString(sum[:])
	}
	out.Seccomp = &sc
	devs := l.Devices
	if devs == nil {
		devs = []specs.LinuxDevice{}
	}
	out.Devices = &devs
	dc := []specs.LinuxDeviceCgroup{}
	if l.Resources != nil && l.Resources.Devices != nil {
		dc = l.Resources.Devices
	}
	out.DeviceCgroup = &dc
	sysctl := l.Sysctl
	if sysctl == nil {
		sysctl = map[string]string{}
	}
	out.Sysctl = &sysctl
	mp, rp := strs(l.MaskedPaths), strs(l.ReadonlyPaths)
	out.MaskedPaths, out.ReadonlyPaths = &mp, &rp
	out.RootfsPropagation, out.MountLabel, out.CgroupsPath = &l.RootfsPropagation, &l.MountLabel, &l.CgroupsPath
	return out
}

func fail(format string, a ...interface{}) {
	fmt.Printf("ERROR: "+format+"\n", a...)
	os.Exit(1)
}

func emit(v interface{}) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fail("encode: %v", err)
	}
	os.Stdout.Write(buf.Bytes())
}

// subcommands holds the oracle's other modes, one Go file each in this
// directory (resolving paths, mounts, hooks and namespaces as runc 1.1.5
// does); each registers itself from init():
//
//	oracle NAME ARGS...
var subcommands = map[string]func(args []string) int{}

func main() {
	if len(os.Args) > 1 {
		if cmd, ok := subcommands[os.Args[1]]; ok {
			os.Exit(cmd(os.Args[2:]))
		}
	}
	processMode, decodeOnly, full := false, false, false
	var path string
	for _, a := range os.Args[1:] {
		switch a {
		case "--process":
			processMode = true
		case "--decode-only":
			decodeOnly = true
		case "--full":
			full = true
		default:
			if path != "" {
				fmt.Fprintln(os.Stderr, "usage: oracle [--process] [--decode-only] [--full] FILE")
				os.Exit(2)
			}
			path = a
		}
	}
	if path == "" {
		fmt.Fprintln(os.Stderr, "usage: oracle [--process] [--decode-only] [--full] FILE")
		os.Exit(2)
	}
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()

	if processMode {
		var p specs.Process
		if err := json.NewDecoder(f).Decode(&p); err != nil {
			fail("decode: %v", err)
		}
		if !decodeOnly {
			if err := validateProcessSpec(&p); err != nil {
				fail("validate: %v", err)
			}
		}
		if full {
			emit(p)
		} else {
			emit(&projection{Process: projectProcess(&p)})
		}
		return
	}

	var spec *specs.Spec
	if err := json.NewDecoder(f).Decode(&spec); err != nil {
		fail("decode: %v", err)
	}
	if spec == nil {
		// runc would dereference a nil spec and panic: a refusal all the same.
		fail("decode: document is null")
	}
	if !decodeOnly {
		if err := validateProcessSpec(spec.Process); err != nil {
			fail("validate: %v", err)
		}
	}
	if full {
		emit(spec)
	} else {
		emit(projectConfig(spec))
	}
}
