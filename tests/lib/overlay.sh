# shellcheck shell=bash
# overlay_dir DIR SAVE: inside a private mount namespace, put a tmpfs over the
# existing directory DIR whose entries are bind mounts of DIR's original
# entries (rbind of the original kept under SAVE), so that a new entry (a
# stock path such as /run/containerd) can be made in DIR without hiding
# anything of the host or writing to it: `mkdir /run/containerd` in a mount
# namespace alone would create the directory on the host.  The tmpfs holds a
# marker, .secshim-stock (see overlaid).
#
# overlay_dir DIR SAVE NAME...: the entries NAME are made empty on the tmpfs
# instead of bound: a directory the test replaces must not depend on the
# host's (rmdir of a mount point in another namespace detaches the mount).
overlay_dir() {
  local d=$1 save=$2 s e name
  shift 2
  s=$save/$(echo "$d" | tr / _)
  mkdir -p "$s"
  mount --rbind "$d" "$s"
  mount --make-rprivate "$s"
  mount -t tmpfs -o mode=0755 secshim-stock "$d"
  touch "$d/.secshim-stock"
  for e in "$s"/* "$s"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    name=${e##*/}
    case " $* " in *" $name "*) continue ;; esac
    if [ -L "$e" ]; then cp -P -- "$e" "$d/$name"
    elif [ -d "$e" ]; then mkdir -p "$d/$name"; mount --rbind "$e" "$d/$name"
    else touch "$d/$name"; mount --bind "$e" "$d/$name"; fi
  done
  for name in "$@"; do mkdir -p "$d/$name"; done
}

# overlaid DIR: DIR is already such a tmpfs (in this namespace or the one it
# was copied from).
overlaid() { mountpoint -q "$1" && [ -e "$1/.secshim-stock" ]; }
