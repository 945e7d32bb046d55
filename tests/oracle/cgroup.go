// Subcommand cgroup: the cgroup directory runc 1.1.5 would put a container
// into for a config's linux.cgroupsPath, computed with runc's own code
// (copied below with its Go standard library calls), and whether that
// directory is a host cgroup or outside the parents the policy allows.
//
//	oracle cgroup [--systemd] [--id ID] [--own CGROUP] [--mountpoint DIR]
//	              [--allow-parent P]... [--allow-slice S]... [--allow-relative] CONFIG
//
// Following runc 1.1.5:
//   - specconv.CreateCgroupConfig: with --systemd-cgroup the path is split
//     on ":" into exactly "slice:prefix:name" (an empty path: prefix "runc",
//     name = container id); otherwise utils.CleanPath(path), and an empty
//     path leaves Name = container id;
//   - cgroups/fs innerPath (v1) and fs2 _defaultDirPath (v2):
//     CleanPath(Path), or filepath.Join(CleanPath(Parent), CleanPath(Name));
//     an absolute result is taken from the cgroup root; a relative one from
//     runc's own cgroup (v1: GetOwnCgroupPath) or its parent (v2:
//     filepath.Dir of the "0::" line of /proc/self/cgroup);
//   - systemd common.go ExpandSlice and getUnitName, v2.go getSliceFull and
//     initPath: filepath.Join(ExpandSlice(slice), unit), "system.slice"
//     when the slice is empty.
//
// --own is runc's own cgroup (default: read from /proc/self/cgroup, the
// "0::" line, else the pids line: runc runs where its caller runs).
// --mountpoint is where that hierarchy is mounted (default /sys/fs/cgroup on
// cgroup v2, /sys/fs/cgroup/pids on v1) and is used only to tell whether
// the directory exists now and holds processes.
//
// Verdict fields:
//
//	dir       the cgroup, from the hierarchy's root ("/system.slice");
//	exists    it exists now: runc would join it, not create it;
//	procs     processes in it now (cgroup.procs lines);
//	host      it is the root, or it exists and holds processes that are not
//	          the container's: the container would share a host cgroup;
//	outside   not strictly below an --allow-parent (cgroupfs, absolute),
//	          not below or at an --allow-slice (systemd, a scope unit), or,
//	          for a relative path with --allow-relative, "." or a first
//	          component that is a systemd unit name (the units beside runc);
//	error     runc itself would refuse the value (the rule must refuse too).
//
// Prints one JSON object; exit 0 (2 on usage errors).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func init() { subcommands["cgroup"] = cgroupMain }

type cgroupVerdict struct {
	Driver   string `json:"driver"`
	Value    string `json:"value"`
	Inner    string `json:"inner,omitempty"`
	Relative bool   `json:"relative"`
	Base     string `json:"base,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Dir      string `json:"dir,omitempty"`
	Exists   bool   `json:"exists"`
	Procs    int    `json:"procs"`
	Host     bool   `json:"host"`
	Outside  bool   `json:"outside"`
	Why      string `json:"why,omitempty"`
	Error    string `json:"error,omitempty"`
}

// CleanPath is runc 1.1.5 libcontainer/utils.CleanPath.
func cleanPath(path string) string {
	if path == "" {
		return ""
	}
	path = filepath.Clean(path)
	if !filepath.IsAbs(path) {
		path = filepath.Clean(string(os.PathSeparator) + path)
		path, _ = filepath.Rel(string(os.PathSeparator), path)
	}
	return filepath.Clean(path)
}

// expandSlice is runc 1.1.5 libcontainer/cgroups/systemd.ExpandSlice.
func expandSlice(slice string) (string, error) {
	suffix := ".slice"
	if len(slice) < len(suffix) || !strings.HasSuffix(slice, suffix) {
		return "", fmt.Errorf("invalid slice name: %s", slice)
	}
	if strings.Contains(slice, "/") {
		return "", fmt.Errorf("invalid slice name: %s", slice)
	}
	var path, prefix string
	sliceName := strings.TrimSuffix(slice, suffix)
	if sliceName == "-" {
		return "/", nil
	}
	for _, component := range strings.Split(sliceName, "-") {
		if component == "" {
			return "", fmt.Errorf("invalid slice name: %s", slice)
		}
		path += "/" + prefix + component + suffix
		prefix += component + "-"
	}
	return path, nil
}

// getUnitName is runc 1.1.5 systemd/common.go getUnitName.
func getUnitName(scopePrefix, name string) string {
	if !strings.HasSuffix(name, ".slice") {
		return scopePrefix + "-" + name + ".scope"
	}
	return name
}

// ownCgroup reads /proc/self/cgroup as fs2 parseCgroupFromReader does
// ("0::" line), falling back to the v1 pids controller line.
func ownCgroup() (string, bool, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	return parseOwnCgroup(f)
}

func parseOwnCgroup(r io.Reader) (string, bool, error) {
	s := bufio.NewScanner(r)
	v2, pids := "", ""
	for s.Scan() {
		parts := strings.SplitN(s.Text(), ":", 3)
		if len(parts) < 3 {
			return "", false, fmt.Errorf("invalid cgroup entry: %q", s.Text())
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = parts[2]
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "pids" {
				pids = parts[2]
			}
		}
	}
	if pids != "" {
		return pids, false, nil
	}
	if v2 != "" {
		return v2, true, nil
	}
	return "", false, errors.New("cgroup path not found")
}

func unitNamed(component string) bool {
	for _, t := range []string{".service", ".scope", ".slice", ".socket", ".mount", ".swap", ".target", ".device",
		".automount", ".path", ".timer"} {
		if strings.HasSuffix(component, t) {
			return true
		}
	}
	return false
}

func below(a, p string, strict bool) bool {
	if a == p {
		return !strict
	}
	if p == "/" {
		return true
	}
	return strings.HasPrefix(a, p+"/")
}

func cgroupMain(args []string) int {
	var (
		systemd, allowRelative      bool
		id, own, mountpoint, config string
		parents, slices             []string
	)
	for i := 0; i < len(args); i++ {
		next := func() string {
			if i+1 >= len(args) {
				fmt.Fprintf(os.Stderr, "oracle cgroup: %s needs a value\n", args[i])
				os.Exit(2)
			}
			i++
			return args[i]
		}
		switch args[i] {
		case "--systemd":
			systemd = true
		case "--allow-relative":
			allowRelative = true
		case "--id":
			id = next()
		case "--own":
			own = next()
		case "--mountpoint":
			mountpoint = next()
		case "--allow-parent":
			parents = append(parents, filepath.Clean(next()))
		case "--allow-slice":
			slices = append(slices, next())
		default:
			if config != "" {
				fmt.Fprintln(os.Stderr, "usage: oracle cgroup [--systemd] [--id ID] [--own CG] [--mountpoint DIR] [--allow-parent P]... [--allow-slice S]... [--allow-relative] CONFIG")
				return 2
			}
			config = args[i]
		}
	}
	if config == "" {
		fmt.Fprintln(os.Stderr, "oracle cgroup: no CONFIG")
		return 2
	}
	f, err := os.Open(config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "oracle cgroup: %v\n", err)
		return 2
	}
	var spec specs.Spec
	err = json.NewDecoder(f).Decode(&spec)
	f.Close()
	v := cgroupVerdict{Driver: "cgroupfs"}
	if systemd {
		v.Driver = "systemd"
	}
	if err != nil {
		v.Error = "decode: " + err.Error()
		return emitCgroup(&v)
	}
	if spec.Linux != nil {
		v.Value = spec.Linux.CgroupsPath
	}
	unified := false
	if own == "" {
		own, unified, err = ownCgroup()
		if err != nil {
			v.Error = "own cgroup: " + err.Error()
			return emitCgroup(&v)
		}
	}
	if mountpoint == "" {
		mountpoint = "/sys/fs/cgroup"
		if !unified {
			mountpoint = "/sys/fs/cgroup/pids"
		}
	}
	if systemd {
		judgeSystemd(&v, id, slices)
	} else {
		judgeCgroupfs(&v, id, own, unified, parents, allowRelative)
	}
	if v.Error == "" && v.Dir != "" {
		probe(&v, mountpoint)
	}
	return emitCgroup(&v)
}

func judgeCgroupfs(v *cgroupVerdict, id, own string, unified bool, parents []string, allowRelative bool) {
	// CreateCgroupConfig: Path = CleanPath(cgroupsPath), or Name = id.
	path, name := cleanPath(v.Value), ""
	if path == "" {
		name = id
	}
	// fs innerPath / fs2 _defaultDirPath.
	inner := cleanPath(path)
	if inner == "" {
		inner = filepath.Join(cleanPath(""), cleanPath(name))
	}
	v.Inner = inner
	if inner == "" {
		v.Error = "no cgroupsPath and no container id"
		return
	}
	if filepath.IsAbs(inner) {
		v.Dir = inner
		v.Outside = true
		for _, p := range parents {
			if below(inner, p, true) {
				v.Outside = false
			}
		}
		if v.Outside {
			v.Why = "not strictly below an allowed parent"
		}
		return
	}
	v.Relative = true
	v.Base = own
	if unified {
		v.Base = filepath.Dir(own)
	}
	v.Dir = filepath.Join(v.Base, inner)
	first := strings.SplitN(inner, "/", 2)[0]
	switch {
	case !allowRelative:
		v.Outside, v.Why = true, "relative paths are not allowed"
	case inner == ".":
		v.Outside, v.Why = true, "the base cgroup itself"
	case unitNamed(first):
		v.Outside, v.Why = true, "first component is a systemd unit beside runc: "+first
	}
}

func judgeSystemd(v *cgroupVerdict, id string, slices []string) {
	parent, prefix, name := "", "runc", id
	if v.Value != "" {
		parts := strings.Split(v.Value, ":")
		if len(parts) != 3 {
			v.Error = fmt.Sprintf("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got %q instead", v.Value)
			return
		}
		parent, prefix, name = parts[0], parts[1], parts[2]
	}
	slice := "system.slice"
	if parent != "" {
		var err error
		if slice, err = expandSlice(parent); err != nil {
			v.Error = err.Error()
			return
		}
	}
	v.Unit = getUnitName(prefix, name)
	// initPath: securejoin.SecureJoin(fs2.UnifiedMountpoint, Join(slice, unit)),
	// taken here from the hierarchy's root.
	joined, err := securejoin.SecureJoin("/", filepath.Join(slice, v.Unit))
	if err != nil {
		v.Error = err.Error()
		return
	}
	v.Dir = joined
	// systemd itself refuses a unit name with characters outside its set
	// (StartTransientUnit fails, and so does runc).
	for _, r := range prefix + name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.-@", r)) {
			v.Error = "systemd refuses unit name " + v.Unit
			return
		}
	}
	if prefix == "" || name == "" {
		v.Error = "empty scope prefix or name"
		return
	}
	if strings.HasSuffix(v.Unit, ".slice") {
		v.Outside, v.Why = true, "the unit is a slice, not the container's own scope"
		return
	}
	v.Outside, v.Why = true, "slice "+filepath.Join("/", slice)+" is not an allowed slice"
	// getSliceFull's default "system.slice" is relative; SecureJoin takes it
	// from the root like an expanded one.
	sliceDir := filepath.Join("/", slice)
	for _, s := range slices {
		if d, err := expandSlice(s); err == nil && below(sliceDir, d, false) && d != "/" {
			v.Outside, v.Why = false, ""
		}
	}
}

// probe: does the directory exist in the hierarchy now, with processes?
func probe(v *cgroupVerdict, mountpoint string) {
	full := filepath.Join(mountpoint, v.Dir)
	if st, err := os.Stat(full); err == nil && st.IsDir() {
		v.Exists = true
		if b, err := os.ReadFile(filepath.Join(full, "cgroup.procs")); err == nil {
			v.Procs = strings.Count(string(b), "\n")
		}
	}
	v.Host = v.Dir == "/" || (v.Exists && v.Procs > 0)
}

func emitCgroup(v *cgroupVerdict) int {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
	return 0
}
