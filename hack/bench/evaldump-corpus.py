#!/usr/bin/env python3
"""Seeded random variants of a config for hack/bench-evaldump.sh: strings with
control characters, escapes, '/', DEL, non-BMP, U+2028; odd numbers; random
capabilities, mounts and namespaces.  Same seed, same files."""
import json, os, random, sys

base, outdir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(6)
os.makedirs(outdir, exist_ok=True)
with open(base, encoding="utf-8") as f:
    cfg = json.load(f)
CHARS = ["a", "/", "\\", '"', "\x7f", "\x01", "\x1f", "\u2028", "\u00e9", "\U0001F600", "\t", "\n", " ", "Z", "0"]
CAPS = ["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_PTRACE", "CAP_KILL", "cap_sys_module",
        "CAP_BPF", "CAP_PERFMON", "CAP_SETUID", "CAP_AUDIT_WRITE", "CAP_BOGUS", "CAP_DAC_READ_SEARCH"]

def rstr():
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 12)))

def rnum():
    return rng.choice([0, 1, -1, 65534, 2**31, 2**32 + 5, 1.5, 1e300, -0.0, 12345678901234567890])

for i in range(n):
    c = json.loads(json.dumps(cfg))
    p = c["process"]
    p["env"] = p.get("env", []) + [rstr() + "=" + rstr() for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.3:
        p["args"] = [rstr() for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        for s in ("bounding", "effective", "permitted", "inheritable", "ambient"):
            if rng.random() < 0.5:
                p.setdefault("capabilities", {})[s] = rng.sample(CAPS, rng.randint(0, 5))
    if rng.random() < 0.3:
        p["user"] = {"uid": rng.choice([0, 1000, 65534]), "gid": rng.choice([0, 1000])}
    if rng.random() < 0.3:
        c.setdefault("annotations", {})[rstr()] = rstr()
    if rng.random() < 0.3:
        c["mounts"].append({"destination": rng.choice(["/data", "/proc/x", "/" + rstr()]),
                            "type": "bind", "source": rng.choice(["/etc", "/var/run/docker.sock", "/tmp", "/" + rstr()]),
                            "options": rng.sample(["rbind", "ro", "rw", "rprivate", "nosuid"], rng.randint(0, 3))})
    if rng.random() < 0.2:
        c["linux"]["namespaces"] = [ns for ns in c["linux"]["namespaces"] if rng.random() < 0.7]
    if rng.random() < 0.2:
        c["linux"].setdefault("sysctl", {})[rng.choice(["net.ipv4.ip_forward", "kernel.shm_rmid_forced", "kernel." + rstr()])] = str(rnum())
    if rng.random() < 0.2:
        c.setdefault("x-extra", {})["n"] = rnum()
    if rng.random() < 0.2:
        p["noNewPrivileges"] = rng.choice([True, False])
    if rng.random() < 0.1:
        c["linux"].pop("seccomp", None)
    with open(os.path.join(outdir, "random-%03d.config.json" % i), "w", encoding="utf-8") as f:
        json.dump(c, f, ensure_ascii=rng.random() < 0.5)
