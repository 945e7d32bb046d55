# shellcheck shell=bash
# private_dir DIR [NAME...]: inside a private mount namespace (as root), make DIR a
# tmpfs whose entries are bind mounts of the original ones, so that nothing
# of the host is hidden and nothing made in DIR afterwards (a daemon's
# /run/containerd, a test's state directory, a missing bind source) reaches
# the host's filesystem.  A mount namespace alone does not give that: a
# directory made on the host's /run is the host's.
#
# The originals stay reachable under $PRIVATE_DIR_SAVE (a tmpfs of the
# namespace, made by the caller; it must not be inside DIR).  The entries
# NAME... are left out: DIR looks as if they did not exist.  Idempotent.
private_dir() {
  local d=$1 s e name
  shift
  mountpoint -q "$d" && [ -e "$d/.secshim-private" ] && return 0
  : "${PRIVATE_DIR_SAVE:?private_dir: PRIVATE_DIR_SAVE is not set}"
  s=$PRIVATE_DIR_SAVE/$(echo "$d" | tr / _)
  mkdir -p "$s"
  mount --rbind "$d" "$s"
  mount --make-rprivate "$s"
  mount -t tmpfs -o mode="$(stat -c %a "$d")" secshim-private "$d"
  touch "$d/.secshim-private"
  for e in "$s"/* "$s"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    name=${e##*/}
    case " $* " in *" $name "*) continue ;; esac
    if [ -L "$e" ]; then cp -P -- "$e" "$d/$name"
    elif [ -d "$e" ]; then mkdir -p "$d/$name"; mount --rbind "$e" "$d/$name"
    else touch "$d/$name"; mount --bind "$e" "$d/$name"; fi
  done
}
