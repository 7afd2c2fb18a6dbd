#!/usr/bin/env bash
# Writes three small Workstation VMs under $1 (once): what `npm start` discovers when no VMware
# source is configured. Real files, as Workstation writes them: a .vmx and sparse VMDKs.
set -euo pipefail
root="$1"
vm() {
  local name="$1" guest="$2" firmware="$3" memsize="$4" disks="$5" dir
  dir="$root/$name"
  [[ -f "$dir/$name.vmx" ]] && return 0
  mkdir -p "$dir"
  {
    echo '.encoding = "UTF-8"'
    echo "displayName = \"$name\""
    echo "guestOS = \"$guest\""
    echo "firmware = \"$firmware\""
    echo 'numvcpus = "2"'
    echo "memsize = \"$memsize\""
    echo 'scsi0.present = "TRUE"'
    echo 'scsi0.virtualDev = "pvscsi"'
    echo 'ethernet0.present = "TRUE"'
    echo 'ethernet0.connectionType = "nat"'
    echo 'ethernet0.addressType = "generated"'
    echo "ethernet0.generatedAddress = \"00:0c:29:$(printf '%02x' $((RANDOM % 256))):$(printf '%02x' $((RANDOM % 256))):01\""
  } >"$dir/$name.vmx.tmp"
  for ((i = 0; i < disks; i++)); do
    qemu-img create -q -f vmdk -o subformat=monolithicSparse "$dir/$name-$i.vmdk" "$((1 + i))G"
    {
      echo "scsi0:$i.present = \"TRUE\""
      echo "scsi0:$i.fileName = \"$name-$i.vmdk\""
    } >>"$dir/$name.vmx.tmp"
  done
  mv "$dir/$name.vmx.tmp" "$dir/$name.vmx"
}
vm sample-web debian12-64 bios 2048 1
vm sample-db debian12-64 efi 4096 2
vm sample-win windows2019srv-64 efi 8192 1
