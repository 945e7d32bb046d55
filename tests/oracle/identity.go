// Subcommands ns, hooks and users: what runc 1.1.5 reaches through a
// namespace path, a hook path and a joined user namespace (issue 10
// classes 1, 3 and 4), computed with the calls runc makes.
//
//	oracle ns [--bundle B] CONFIG
//	oracle hooks [--bundle B] [--engine FILE]... CONFIG
//	oracle users CONFIG
//
// The bundle defaults to CONFIG's directory.  runc create chdir()s into it
// (utils.go setupSpec), and the rootfs is root.path joined to it
// (specconv CreateLibcontainerConfig).
//
// ns, per linux.namespaces entry with a path (container_linux.go
// orderNamespacePaths, nsexec.c join_namespaces):
//
//	runc create os.Lstat(path) from the bundle (and refuses a ",");
//	nsexec, started with cmd.Dir = rootfs, open(path, O_RDONLY) from the
//	rootfs.  A relative path is two files.  Reported: what each resolves to
//	(device:inode and the /proc/self/fd readlink, e.g. "net:[4026531992]"),
//	whether they differ, whether runc fails, and whether what nsexec joins is
//	the host's namespace (device and inode of /proc/self/ns/<type> or
//	/proc/1/ns/<type>).
//
// hooks, per hook (configs.Command.Run: exec.Cmd{Path: h.Path}, no PATH
// lookup, a relative path taken from runc's cwd): prestart, createRuntime and
// poststart run from the bundle in the host's mount namespace, poststop from
// the cwd of whoever calls runc delete (reported as cwd-dependent when
// relative), createContainer and startContainer inside the container
// (resolved over the rootfs with securejoin).  Reported: the file's
// device:inode as execve would open it (os.Stat follows symlinks and /proc
// magic links), and whether it is one of the --engine files by inode.
//
// users (specconv: uidMappings/gidMappings are written only for a new user
// namespace; a joined one, with a path, keeps its own): the host ids the
// process runs as.  Mapped through the document's mappings for a new user
// namespace, the ids themselves without one or with a joined one.
//
// Each prints one JSON object; exit 0 (2 on usage errors).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func init() {
	subcommands["ns"] = nsMain
	subcommands["hooks"] = hooksMain
	subcommands["users"] = usersMain
}

// identityArgs parses [--bundle B] [--engine F]... CONFIG.
func identityArgs(name string, args []string, engines *[]string) (bundle, config string) {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--bundle", "--engine":
			if i+1 >= len(args) {
				fmt.Fprintf(os.Stderr, "oracle %s: %s needs a value\n", name, args[i])
				os.Exit(2)
			}
			if args[i] == "--bundle" {
				bundle = args[i+1]
			} else if engines != nil {
				*engines = append(*engines, args[i+1])
			} else {
				fmt.Fprintf(os.Stderr, "oracle %s: no --engine here\n", name)
				os.Exit(2)
			}
			i++
		default:
			if config != "" {
				fmt.Fprintf(os.Stderr, "oracle %s: one CONFIG only\n", name)
				os.Exit(2)
			}
			config = args[i]
		}
	}
	if config == "" {
		fmt.Fprintf(os.Stderr, "oracle %s: no CONFIG\n", name)
		os.Exit(2)
	}
	if bundle == "" {
		bundle = filepath.Dir(config)
	}
	abs, err := filepath.Abs(bundle)
	if err != nil {
		fmt.Fprintf(os.Stderr, "oracle %s: %v\n", name, err)
		os.Exit(2)
	}
	return abs, config
}

func loadConfig(config string) (*specs.Spec, error) {
	f, err := os.Open(config)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var spec *specs.Spec
	if err := json.NewDecoder(f).Decode(&spec); err != nil {
		return nil, err
	}
	if spec == nil {
		return nil, fmt.Errorf("document is null")
	}
	return spec, nil
}

func emitJSON(v interface{}) int {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
	return 0
}

func devIno(st *syscall.Stat_t) string { return fmt.Sprintf("%d:%d", st.Dev, st.Ino) }

// rootfsOf: specconv joins a relative root.path to runc's cwd, the bundle.
func rootfsOf(spec *specs.Spec, bundle string) string {
	if spec.Root == nil {
		return bundle
	}
	if filepath.IsAbs(spec.Root.Path) {
		return spec.Root.Path
	}
	return filepath.Join(bundle, spec.Root.Path)
}

// ---- ns ----

type nsSide struct {
	From  string `json:"from"`
	File  string `json:"file,omitempty"` // device:inode of what open() reaches
	NS    string `json:"ns,omitempty"`   // readlink of the opened fd
	Error string `json:"error,omitempty"`
}

type nsEntry struct {
	Type   string `json:"type"`
	Path   string `json:"path"`
	Lstat  nsSide `json:"lstat"` // runc create, from the bundle
	Open   nsSide `json:"open"`  // nsexec, from the rootfs
	Differ bool   `json:"differ"`
	Fails  string `json:"fails,omitempty"`
	Host   bool   `json:"host"`
}

var nsProcName = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace: "pid", specs.NetworkNamespace: "net", specs.MountNamespace: "mnt",
	specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.UserNamespace: "user",
	specs.CgroupNamespace: "cgroup",
}

// openFrom opens path as nsexec does (open(path, O_RDONLY)) with dir as the
// working directory: an absolute path ignores it, a relative one is walked
// by the kernel from it, symlinks and all.
func openFrom(dir, path string) nsSide {
	side := nsSide{From: dir}
	dfd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		side.Error = err.Error()
		return side
	}
	defer syscall.Close(dfd)
	fd, err := syscall.Openat(dfd, path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		side.Error = err.Error()
		return side
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		side.Error = err.Error()
		return side
	}
	side.File = devIno(&st)
	side.NS, _ = os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	return side
}

func lstatFrom(dir, path string) string {
	p := path
	if !filepath.IsAbs(p) {
		p = dir + "/" + path // the kernel walks it from dir: no lexical cleaning
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return err.Error()
	}
	return ""
}

func hostNS(name string) map[string]bool {
	out := map[string]bool{}
	for _, p := range []string{"/proc/self/ns/" + name, "/proc/1/ns/" + name} {
		var st syscall.Stat_t
		if syscall.Stat(p, &st) == nil {
			out[devIno(&st)] = true
		}
	}
	return out
}

func nsMain(args []string) int {
	bundle, config := identityArgs("ns", args, nil)
	spec, err := loadConfig(config)
	if err != nil {
		return emitJSON(map[string]string{"error": "decode: " + err.Error()})
	}
	rootfs := rootfsOf(spec, bundle)
	entries := []nsEntry{}
	if spec.Linux != nil {
		for _, ns := range spec.Linux.Namespaces {
			if ns.Path == "" {
				continue
			}
			e := nsEntry{Type: string(ns.Type), Path: ns.Path}
			// The bundle side: runc only Lstat()s it; what it would
			// be if opened there is reported for comparison.
			e.Lstat = openFrom(bundle, ns.Path)
			e.Lstat.Error = lstatFrom(bundle, ns.Path)
			e.Open = openFrom(rootfs, ns.Path)
			e.Differ = e.Lstat.File != e.Open.File
			switch {
			case e.Lstat.Error != "":
				e.Fails = "runc create: namespace path: lstat " + ns.Path + ": " + e.Lstat.Error
			case strings.ContainsRune(ns.Path, ','):
				e.Fails = "runc create: invalid namespace path " + ns.Path
			case e.Open.Error != "":
				e.Fails = "nsexec: failed to open " + ns.Path + ": " + e.Open.Error
			}
			if name, ok := nsProcName[ns.Type]; ok && e.Open.File != "" {
				e.Host = hostNS(name)[e.Open.File]
			}
			entries = append(entries, e)
		}
	}
	return emitJSON(map[string]interface{}{"bundle": bundle, "rootfs": rootfs, "namespaces": entries})
}

// ---- hooks ----

type hookEntry struct {
	Kind   string   `json:"kind"`
	Index  int      `json:"index"`
	Path   string   `json:"path"`
	Args   []string `json:"args"`
	Where  string   `json:"where"` // host (bundle cwd), host-delete-cwd, container
	Exec   string   `json:"exec,omitempty"`
	File   string   `json:"file,omitempty"` // device:inode
	Engine bool     `json:"engine"`
	Fails  string   `json:"fails,omitempty"`
}

func hooksMain(args []string) int {
	var engines []string
	bundle, config := identityArgs("hooks", args, &engines)
	spec, err := loadConfig(config)
	if err != nil {
		return emitJSON(map[string]string{"error": "decode: " + err.Error()})
	}
	engineIDs := map[string]bool{}
	for _, e := range engines {
		var st syscall.Stat_t
		if syscall.Stat(e, &st) == nil {
			engineIDs[devIno(&st)] = true
		}
	}
	rootfs := rootfsOf(spec, bundle)
	entries := []hookEntry{}
	if spec.Hooks != nil {
		kinds := []struct {
			name  string
			hooks []specs.Hook
			where string
		}{
			{"prestart", spec.Hooks.Prestart, "host"},
			{"createRuntime", spec.Hooks.CreateRuntime, "host"},
			{"createContainer", spec.Hooks.CreateContainer, "container"},
			{"startContainer", spec.Hooks.StartContainer, "container"},
			{"poststart", spec.Hooks.Poststart, "host"},
			{"poststop", spec.Hooks.Poststop, "host-delete-cwd"},
		}
		for _, k := range kinds {
			for i, h := range k.hooks {
				e := hookEntry{Kind: k.name, Index: i, Path: h.Path, Args: h.Args, Where: k.where}
				switch {
				case k.where == "container":
					e.Exec, err = securejoin.SecureJoin(rootfs, h.Path)
				case filepath.IsAbs(h.Path):
					e.Exec = h.Path
				case k.where == "host-delete-cwd":
					e.Fails = "relative poststop hook: runc delete runs it from its caller's cwd"
				default:
					e.Exec = bundle + "/" + h.Path // exec.Cmd: Dir "" is runc's cwd, the bundle
				}
				if err != nil {
					e.Fails = err.Error()
				}
				if e.Exec != "" && e.Fails == "" {
					var st syscall.Stat_t
					if serr := syscall.Stat(e.Exec, &st); serr != nil {
						e.Fails = "exec " + h.Path + ": " + serr.Error()
					} else {
						e.File = devIno(&st)
						e.Engine = engineIDs[e.File]
					}
				}
				entries = append(entries, e)
			}
		}
	}
	return emitJSON(map[string]interface{}{"bundle": bundle, "hooks": entries})
}

// ---- users ----

type usersVerdict struct {
	UserNS   string   `json:"userns"` // none, new, joined
	UID      uint32   `json:"uid"`
	GID      uint32   `json:"gid"`
	Groups   []uint32 `json:"additionalGids"`
	HostUID  *uint32  `json:"hostUid"` // null: not mapped (runc would fail)
	HostGID  *uint32  `json:"hostGid"`
	HostGids []uint32 `json:"hostAdditionalGids"`
	HostRoot bool     `json:"hostRoot"` // uid or any gid is 0 on the host
	Error    string   `json:"error,omitempty"`
}

func mapID(id uint32, m []specs.LinuxIDMapping) *uint32 {
	for _, e := range m {
		if id >= e.ContainerID && uint64(id) < uint64(e.ContainerID)+uint64(e.Size) {
			h := e.HostID + (id - e.ContainerID)
			return &h
		}
	}
	return nil
}

func usersMain(args []string) int {
	_, config := identityArgs("users", args, nil)
	spec, err := loadConfig(config)
	if err != nil {
		return emitJSON(usersVerdict{Error: "decode: " + err.Error()})
	}
	v := usersVerdict{UserNS: "none"}
	if spec.Process != nil {
		v.UID, v.GID, v.Groups = spec.Process.User.UID, spec.Process.User.GID, spec.Process.User.AdditionalGids
	}
	var uidMap, gidMap []specs.LinuxIDMapping
	if spec.Linux != nil {
		for _, ns := range spec.Linux.Namespaces {
			if ns.Type == specs.UserNamespace {
				v.UserNS = "new"
				if ns.Path != "" {
					v.UserNS = "joined"
				}
			}
		}
		uidMap, gidMap = spec.Linux.UIDMappings, spec.Linux.GIDMappings
	}
	ident := func(id uint32) *uint32 { return &id }
	mapU, mapG := ident, ident
	if v.UserNS == "new" {
		mapU = func(id uint32) *uint32 { return mapID(id, uidMap) }
		mapG = func(id uint32) *uint32 { return mapID(id, gidMap) }
	}
	v.HostUID, v.HostGID = mapU(v.UID), mapG(v.GID)
	v.HostRoot = (v.HostUID != nil && *v.HostUID == 0) || (v.HostGID != nil && *v.HostGID == 0)
	for _, g := range v.Groups {
		if h := mapG(g); h != nil {
			v.HostGids = append(v.HostGids, *h)
			v.HostRoot = v.HostRoot || *h == 0
		}
	}
	if v.HostUID == nil || v.HostGID == nil {
		v.Error = "the process's uid or gid is not mapped in the new user namespace"
	}
	return emitJSON(v)
}
