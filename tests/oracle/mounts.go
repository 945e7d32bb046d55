// Subcommand reach: what runc 1.1.5 would mount from the host for each mount
// of a config, and where process.cwd lands, computed with the same Go calls
// runc makes, and whether the host resource reached is a forbidden one.
//
//	oracle reach [--deny P]... [--deny-exact P]... [--protect P]... [--own P]... BUNDLE [CONFIG]
//
// CONFIG defaults to BUNDLE/config.json.  Following runc 1.1.5:
//   - utils_linux.go/spec.go: os.Chdir(bundle), os.Getwd, filepath.Abs: the
//     cwd every relative path is joined to;
//   - specconv createLibcontainerMount: parseMountOptions (MS_BIND from
//     "bind"/"rbind"), Device = "bind" then, and a relative bind source
//     becomes filepath.Join(cwd, source);
//   - rootfs_linux.go prepareBindMount: os.Stat(source) must succeed, then
//     the kernel mounts what the path resolves to (filepath.EvalSymlinks
//     here); proc/sysfs: filepath.Clean(dest) joined to the rootfs, then
//     WithProcfd, i.e. securejoin.SecureJoin(rootfs, dest); every other
//     destination securejoin.SecureJoin(rootfs, dest) at mount time, i.e.
//     over the rootfs and the mounts already made;
//   - process_linux.go: runc init runs with cmd.Dir = rootfs, so a relative
//     overlay lowerdir/upperdir/workdir is taken from the rootfs;
//   - init_linux.go: chdir(cwd) after pivot_root: securejoin semantics over
//     the container's mounts.
//
// Forbidden: a host path equal to or below a --deny entry, an ancestor of
// any entry, another container's directory (--protect: it, below it, or an
// ancestor) unless below the container's own (--own), a block device, a kernel filesystem (proc, sysfs, cgroup,
// debugfs, ...) reached outside its standard place, a destination landing
// under /proc or /sys other than the standard mounts or inside a kernel
// filesystem mounted elsewhere, a cwd landing in a kernel filesystem.
// Prints one JSON object; exit 0 (2 on usage errors).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func init() { subcommands["reach"] = reachMain }

type reachMount struct {
	Index     int    `json:"index"`
	Type      string `json:"type"`
	Bind      bool   `json:"bind"`
	Landed    string `json:"landed,omitempty"`
	Reach     string `json:"reach,omitempty"`
	Fails     string `json:"fails,omitempty"`
	Forbidden bool   `json:"forbidden"`
	Why       string `json:"why,omitempty"`
}

type reachCwd struct {
	Cwd       string `json:"cwd"`
	Landed    string `json:"landed,omitempty"`
	Fails     string `json:"fails,omitempty"`
	Forbidden bool   `json:"forbidden"`
	Why       string `json:"why,omitempty"`
}

type reachResult struct {
	Rootfs    string       `json:"rootfs"`
	Mounts    []reachMount `json:"mounts"`
	Cwd       *reachCwd    `json:"cwd,omitempty"`
	Forbidden bool         `json:"forbidden"`
	Fails     bool         `json:"fails"`
}

// The mount's backing, as laid over the rootfs in order.
type layer struct {
	dest   string   // container path, clean
	kind   string   // "host", "kernel", "empty", "overlay"
	source string   // host path for "host"
	layers []string // "overlay": upperdir, then each lowerdir (EvalSymlinks'd)
}

var kernelFsTypes = map[string]bool{"proc": true, "sysfs": true, "cgroup": true, "cgroup2": true,
	"debugfs": true, "tracefs": true, "securityfs": true, "bpf": true, "configfs": true, "efivarfs": true,
	"pstore": true, "fusectl": true, "binfmt_misc": true, "selinuxfs": true, "hugetlbfs": true}

var kernelMagic = map[int64]bool{0x9fa0: true, 0x62656572: true, 0x27e0eb: true, 0x63677270: true,
	0x64626720: true, 0x74726163: true, 0x73636673: true, 0xcafe4a11: true, 0x62656570: true,
	0xde5e81e4: true, 0x6165676c: true, 0x65735543: true, 0x42494e4d: true, 0xf97cff8c: true}

// viewVFS answers securejoin's Lstat/Readlink for container paths (root
// "/"): the last mount whose destination is the path or an ancestor backs
// it (later mounts cover earlier ones).
type viewVFS struct {
	rootfs   string
	layers   []layer
	inKernel bool // a lookup went below the root of a kernel filesystem
}

func (v *viewVFS) backing(p string) (layer, bool) {
	for i := len(v.layers) - 1; i >= 0; i-- {
		d := v.layers[i].dest
		if p == d || d == "/" || strings.HasPrefix(p, d+"/") {
			return v.layers[i], true
		}
	}
	return layer{}, false
}

func (v *viewVFS) hostPath(p string) (string, error) {
	l, ok := v.backing(p)
	if !ok {
		return filepath.Join(v.rootfs, p), nil
	}
	if p == l.dest {
		return "", errMountRoot // the root directory of a mount: never a symlink
	}
	switch l.kind {
	case "kernel":
		v.inKernel = true
		return "", errMountRoot
	case "empty":
		return "", os.ErrNotExist
	}
	rel := strings.TrimPrefix(p, l.dest)
	if l.dest == "/" {
		rel = p
	}
	if l.kind == "overlay" {
		// The kernel looks a name up in the upper layer, then in each lower
		// one; the first that has it wins, a whiteout (0:0 char device) hides it.
		for _, base := range l.layers {
			hp := filepath.Join(base, rel)
			fi, err := os.Lstat(hp)
			if err != nil {
				continue
			}
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode()&os.ModeCharDevice != 0 && st.Rdev == 0 {
				return "", os.ErrNotExist
			}
			return hp, nil
		}
		return "", os.ErrNotExist
	}
	return filepath.Join(l.source, rel), nil
}

var errMountRoot = errors.New("mount root")

func (v *viewVFS) Lstat(name string) (os.FileInfo, error) {
	hp, err := v.hostPath(filepath.Clean(name))
	if err == errMountRoot {
		return os.Lstat("/") // a directory
	}
	if err != nil {
		return nil, &os.PathError{Op: "lstat", Path: name, Err: syscall.ENOENT}
	}
	return os.Lstat(hp)
}

func (v *viewVFS) Readlink(name string) (string, error) {
	hp, err := v.hostPath(filepath.Clean(name))
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: name, Err: syscall.EINVAL}
	}
	return os.Readlink(hp)
}

// land: the container path a destination or cwd reaches, and whether that
// is inside a kernel filesystem.
func (v *viewVFS) land(p string) (string, bool, error) {
	v.inKernel = false
	got, err := securejoin.SecureJoinVFS("/", p, v)
	if err != nil {
		return "", false, err
	}
	l, ok := v.backing(got)
	return got, v.inKernel || (ok && l.kind == "kernel"), nil
}

func under(outer, inner string) bool {
	return outer == "/" || inner == outer || strings.HasPrefix(inner, outer+"/")
}

// tree, exact: the policy's deny and denyExact.  protect: another
// container's (sandbox's, pod's) directory: reaching it, anything below it,
// or an ancestor (the per-container tree that holds it) is forbidden.  own:
// this container's own directory (engine-owned mounts): what runc reaches
// at or below it is its own, whatever tree it lies in, unless it is also
// below a protect entry.
type denyList struct{ tree, exact, protect, own []string }

// evalOrClean: the path as the kernel resolves it, or as written when it
// does not resolve.
func evalOrClean(e string) []string {
	re, err := filepath.EvalSymlinks(e)
	if err != nil {
		re = filepath.Clean(e)
	}
	return []string{filepath.Clean(e), re}
}

// forbiddenHost: why the host path p (resolved) is forbidden, or "".
func (d *denyList) forbiddenHost(p string) string {
	for _, e := range d.protect {
		for _, cand := range evalOrClean(e) {
			if under(cand, p) || under(p, cand) {
				return fmt.Sprintf("%s reaches %s, another container's", p, e)
			}
		}
	}
	own := false
	for _, e := range d.own {
		for _, cand := range evalOrClean(e) {
			own = own || under(cand, p)
		}
	}
	for gi, group := range [][]string{d.tree, d.exact} {
		if own {
			break // its own files: the deny lists hold the tree, not this entry
		}
		for _, e := range group {
			re, err := filepath.EvalSymlinks(e)
			if err != nil {
				re = filepath.Clean(e)
			}
			for _, cand := range []string{filepath.Clean(e), re} {
				if under(p, cand) {
					return fmt.Sprintf("%s exposes %s", p, e)
				}
				if gi == 0 && cand != "/" && under(cand, p) {
					return fmt.Sprintf("%s is inside %s", p, e)
				}
			}
		}
	}
	var st syscall.Stat_t
	if syscall.Stat(p, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFBLK {
		return p + " is a block device"
	}
	var sf syscall.Statfs_t
	if syscall.Statfs(p, &sf) == nil && kernelMagic[int64(sf.Type)] {
		return p + " is on a kernel filesystem"
	}
	return ""
}

// splitData: the overlay directories of runc's m.Data (non-flag options
// joined by ','), split like the kernel: '\' escapes, lowerdir by ':'.
func overlayDirs(options []string) []string {
	data := strings.Join(options, ",")
	var dirs []string
	var cur strings.Builder
	var opts []string
	for i := 0; i < len(data); i++ {
		if data[i] == '\\' && i+1 < len(data) {
			cur.WriteByte(data[i])
			cur.WriteByte(data[i+1])
			i++
			continue
		}
		if data[i] == ',' {
			opts = append(opts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(data[i])
	}
	opts = append(opts, cur.String())
	for _, o := range opts {
		for _, k := range []string{"lowerdir=", "lowerdir+=", "upperdir=", "workdir=", "datadir+="} {
			if !strings.HasPrefix(o, k) {
				continue
			}
			val := o[len(k):]
			var part strings.Builder
			flush := func() {
				if part.Len() > 0 {
					dirs = append(dirs, part.String())
				}
				part.Reset()
			}
			for i := 0; i < len(val); i++ {
				if val[i] == '\\' && i+1 < len(val) {
					part.WriteByte(val[i+1])
					i++
					continue
				}
				if val[i] == ':' && k[0] == 'l' {
					flush()
					continue
				}
				part.WriteByte(val[i])
			}
			flush()
		}
	}
	return dirs
}

// keep: the options (split on unescaped ',') that start with key.
func keep(options []string, key string) []string {
	var out []string
	for _, o := range overlaySplit(strings.Join(options, ",")) {
		if strings.HasPrefix(o, key) {
			out = append(out, o)
		}
	}
	return out
}

func overlaySplit(data string) []string {
	var opts []string
	var cur strings.Builder
	for i := 0; i < len(data); i++ {
		if data[i] == '\\' && i+1 < len(data) {
			cur.WriteByte(data[i])
			cur.WriteByte(data[i+1])
			i++
			continue
		}
		if data[i] == ',' {
			opts = append(opts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(data[i])
	}
	return append(opts, cur.String())
}

// registered: /proc/filesystems lists the type; nodev when it needs no device.
func registered(fstype string) (ok, nodev bool) {
	b, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		return false, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[1] == fstype && f[0] == "nodev" {
			return true, true
		}
		if len(f) == 1 && f[0] == fstype {
			return true, false
		}
	}
	return false, false
}

func reachMain(args []string) int {
	var d denyList
	var pos []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--deny", "--deny-exact", "--protect", "--own":
			if i+1 >= len(args) {
				fmt.Fprintln(os.Stderr, "reach: "+args[i]+" needs a path")
				return 2
			}
			switch args[i] {
			case "--deny":
				d.tree = append(d.tree, args[i+1])
			case "--deny-exact":
				d.exact = append(d.exact, args[i+1])
			case "--protect":
				d.protect = append(d.protect, args[i+1])
			default:
				d.own = append(d.own, args[i+1])
			}
			i++
		default:
			pos = append(pos, args[i])
		}
	}
	if len(pos) < 1 || len(pos) > 2 {
		fmt.Fprintln(os.Stderr, "usage: oracle reach [--deny P]... [--deny-exact P]... [--protect P]... [--own P]... BUNDLE [CONFIG]")
		return 2
	}
	config := filepath.Join(pos[0], "config.json")
	if len(pos) == 2 {
		config = pos[1]
	}
	f, err := os.Open(config)
	if err != nil {
		fail("%v", err)
	}
	var spec specs.Spec
	if err := json.NewDecoder(f).Decode(&spec); err != nil {
		fail("decode: %v", err)
	}
	f.Close()
	if err := os.Chdir(pos[0]); err != nil {
		fail("chdir: %v", err)
	}
	rcwd, err := os.Getwd()
	if err != nil {
		fail("getwd: %v", err)
	}
	cwd, _ := filepath.Abs(rcwd)
	res := reachResult{Mounts: []reachMount{}}
	if spec.Root != nil {
		res.Rootfs = spec.Root.Path
		if !filepath.IsAbs(res.Rootfs) {
			res.Rootfs = filepath.Join(cwd, res.Rootfs)
		}
	}
	v := &viewVFS{rootfs: res.Rootfs}
	for i, m := range spec.Mounts {
		rm := reachMount{Index: i, Type: m.Type}
		for _, o := range m.Options {
			if o == "bind" || o == "rbind" {
				rm.Bind = true
			}
		}
		kind := "empty"
		var overlayLayers []string
		source := m.Source
		dest := m.Destination
		landed, inKernel, lerr := v.land(dest)
		if m.Type == "proc" || m.Type == "sysfs" {
			if !rm.Bind {
				landed, inKernel, lerr = v.land(filepath.Clean(dest))
			}
		}
		if lerr != nil {
			rm.Fails = "securejoin: " + lerr.Error()
		}
		rm.Landed = landed
		switch {
		case rm.Bind:
			if !filepath.IsAbs(source) {
				source = filepath.Join(cwd, source)
			}
			if _, err := os.Stat(source); err != nil {
				rm.Fails = "stat: " + err.Error()
				break
			}
			real, err := filepath.EvalSymlinks(source)
			if err != nil {
				rm.Fails = "evalsymlinks: " + err.Error()
				break
			}
			rm.Reach = real
			if why := d.forbiddenHost(real); why != "" {
				rm.Forbidden, rm.Why = true, why
			}
			var sf syscall.Statfs_t
			if syscall.Statfs(real, &sf) == nil && kernelMagic[int64(sf.Type)] {
				kind = "kernel"
			} else {
				kind = "host"
				source = real
			}
		case m.Type == "proc" || m.Type == "sysfs":
			kind = "kernel"
			want := "/proc"
			if m.Type == "sysfs" {
				want = "/sys"
			}
			if lerr == nil && landed != want {
				rm.Forbidden, rm.Why = true, fmt.Sprintf("%s at %s, not %s: maskedPaths/readonlyPaths do not apply", m.Type, landed, want)
			}
		case m.Type == "tmpfs" || m.Type == "devpts" || m.Type == "mqueue":
		case m.Type == "cgroup" || m.Type == "cgroup2":
			kind = "kernel"
		case m.Type == "overlay":
			kind = "overlay"
			for _, key := range []string{"upperdir=", "lowerdir="} {
				for _, dir := range overlayDirs(keep(m.Options, key)) {
					p := dir
					if !filepath.IsAbs(p) {
						p = res.Rootfs + "/" + dir
					}
					if real, err := filepath.EvalSymlinks(p); err == nil {
						overlayLayers = append(overlayLayers, real)
					}
				}
			}
			for _, dir := range overlayDirs(m.Options) {
				p := dir
				if !filepath.IsAbs(p) {
					p = res.Rootfs + "/" + dir // the kernel resolves it from runc's cwd
				}
				real, err := filepath.EvalSymlinks(p)
				if err != nil {
					rm.Fails = "overlay " + dir + ": " + err.Error()
					continue
				}
				if why := d.forbiddenHost(real); why != "" {
					rm.Forbidden, rm.Why, rm.Reach = true, "overlay layer "+why, real
				}
			}
		default:
			ok, nodev := registered(m.Type)
			switch {
			case !ok:
				rm.Fails = "mount: unknown filesystem type " + m.Type
			case kernelFsTypes[m.Type]:
				kind = "kernel"
				rm.Forbidden, rm.Why = true, m.Type+" exposes host kernel state"
			case !nodev:
				src := source
				if !filepath.IsAbs(src) {
					src = res.Rootfs + "/" + src
				}
				var st syscall.Stat_t
				if err := syscall.Stat(src, &st); err != nil {
					rm.Fails = "mount source: " + err.Error()
				} else if st.Mode&syscall.S_IFMT == syscall.S_IFBLK {
					rm.Reach = src
					rm.Forbidden, rm.Why = true, src+" is a host block device"
				}
			}
		}
		if !rm.Forbidden && lerr == nil {
			std := (landed == "/proc" && m.Type == "proc" && !rm.Bind) || (landed == "/sys" && m.Type == "sysfs" && !rm.Bind) ||
				(landed == "/sys/fs/cgroup" && !rm.Bind && (m.Type == "cgroup" || m.Type == "cgroup2" || m.Type == "tmpfs"))
			if !std && (under("/proc", landed) || under("/sys", landed)) {
				rm.Forbidden, rm.Why = true, "destination "+landed+" is under /proc or /sys"
			} else if !std && inKernel {
				rm.Forbidden, rm.Why = true, "destination "+landed+" is inside a kernel filesystem"
			}
		}
		if lerr == nil {
			v.layers = append(v.layers, layer{dest: landed, kind: kind, source: source, layers: overlayLayers})
		}
		if rm.Forbidden {
			res.Forbidden = true
		}
		if rm.Fails != "" {
			res.Fails = true
		}
		res.Mounts = append(res.Mounts, rm)
	}
	if spec.Process != nil && spec.Process.Cwd != "" {
		c := &reachCwd{Cwd: spec.Process.Cwd}
		landed, inKernel, err := v.land(spec.Process.Cwd)
		if err != nil {
			c.Fails = err.Error()
			res.Fails = true
		} else {
			c.Landed = landed
			if inKernel {
				c.Forbidden, c.Why = true, "cwd "+landed+" is inside a kernel filesystem"
				res.Forbidden = true
			}
		}
		res.Cwd = c
	}
	emit(&res)
	return 0
}
