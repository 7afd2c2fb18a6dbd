// ferry-vcsim: the vSphere API simulator Ferry's tests run against, built on govmomi's simulator
// package as Debian ships it. It serves ESX or vCenter mode on loopback with the inventory a test
// gives it, behind a proxy that logs every SOAP method called (so tests can prove a client only
// reads) and, with -tls, serves HTTPS with a certificate of its own.
//
// Its datastore access (/folder) asks for a session cookie from a Login, as real hosts do (the
// simulator alone does not), and can break off transfers so tests can see a client resume them.
//
// Usage: ferry-vcsim -mode esx|vcenter -inventory FILE -username U -password P [-tls] [-methods FILE]
//        [-downloads FILE] [-cut-after BYTES]
// When ready it prints one JSON line: {"url", "thumbprint", "datastore", "datastorePath", "vms"}.
// It runs until its standard input closes or it gets SIGTERM.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type inventory struct {
	VMs []vmSpec `json:"vms"`
}

type vmSpec struct {
	Name       string     `json:"name"`
	CPUs       int32      `json:"cpus"`
	MemoryMiB  int64      `json:"memoryMiB"`
	Firmware   string     `json:"firmware"`
	GuestID    string     `json:"guestId"`
	PowerState string     `json:"powerState"`
	Disks      []diskSpec `json:"disks"`
	NICs       []nicSpec  `json:"nics"`
	// What pre-flight rules judge: settings, devices beyond disks and NICs, the guest's host name.
	CPUHotAdd      bool     `json:"cpuHotAdd"`
	MemoryHotAdd   bool     `json:"memoryHotAdd"`
	HostName       string   `json:"hostname"`
	USBControllers []string `json:"usbControllers"` // "usb2" (UHCI/EHCI) or "usb3" (xHCI)
	VTPM           bool     `json:"vtpm"`
	Passthrough    []string `json:"passthrough"`   // PCI passthrough devices, by label
	SCSISharedBus  string   `json:"scsiSharedBus"` // the SCSI controller's bus sharing
	// What the source says of the VM that the server's metadata carries.
	Annotation string            `json:"annotation"`
	Attributes map[string]string `json:"attributes"` // custom attributes by name
}

type diskSpec struct {
	CapacityBytes int64  `json:"capacityBytes"`
	Mode          string `json:"mode"` // the backing's diskMode, persistent by default
	MultiWriter   bool   `json:"multiWriter"`
	RDM           bool   `json:"rdm"` // a raw device mapping (virtual compatibility) instead of a flat file
}

type nicSpec struct {
	MAC       string        `json:"mac"`
	Network   string        `json:"network"`
	Addresses []addressSpec `json:"addresses"`
	SRIOV     bool          `json:"sriov"`
}

// addressSpec is an address the guest reports on a NIC through VMware Tools (guest.net).
type addressSpec struct {
	IP     string `json:"ip"`
	Prefix int32  `json:"prefix"`
}

type createdVM struct {
	Name   string   `json:"name"`
	MoRef  string   `json:"moref"`
	UUID   string   `json:"uuid"`
	Files  []string `json:"files"`
	VmxDir string   `json:"vmxDir"`
}

func main() {
	mode := flag.String("mode", "esx", "esx or vcenter")
	inventoryFile := flag.String("inventory", "", "JSON inventory of VMs to create")
	username := flag.String("username", "ferry", "the only user that can log in")
	password := flag.String("password", "ferry-secret", "its password")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a self-signed certificate")
	methodsFile := flag.String("methods", "", "append every SOAP method called to this file, one per line")
	downloadsFile := flag.String("downloads", "", "append every datastore file request to this file, one per line")
	cutAfter := flag.Int64("cut-after", 0, "break off the first GET of each datastore file asking for more than this many bytes from its start, after that many")
	flag.Parse()

	var model *simulator.Model
	if *mode == "vcenter" {
		model = simulator.VPX()
		model.Cluster = 0
		model.Host = 1
	} else {
		model = simulator.ESX()
	}
	model.Machine = 0
	model.Autostart = false
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(*username, *password)}
	server := model.Service.NewServer()
	defer server.Close()
	defer model.Remove()
	// log.Fatal skips the deferred calls: a start that fails removes the datastore's folder itself.
	fail := func(err error) {
		server.Close()
		model.Remove()
		log.Fatal(err)
	}

	var spec inventory
	if *inventoryFile != "" {
		data, err := ioutil.ReadFile(*inventoryFile)
		if err != nil {
			fail(err)
		}
		if err := json.Unmarshal(data, &spec); err != nil {
			fail(fmt.Errorf("inventory: %v", err))
		}
	}
	ctx := context.Background()
	client, err := govmomi.NewClient(ctx, server.URL, true)
	if err != nil {
		fail(err)
	}
	created, dsName, dsPath, err := populate(ctx, client, spec)
	if err != nil {
		fail(err)
	}
	// The simulator counts our own set-up calls too; the log starts after them.
	_ = client.Logout(ctx)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	scheme, thumbprint := "http", ""
	if *useTLS {
		cert, print := selfSigned()
		listener = tls.NewListener(listener, &tls.Config{Certificates: []tls.Certificate{cert}})
		scheme, thumbprint = "https", print
	}
	target := &url.URL{Scheme: server.URL.Scheme, Host: server.URL.Host}
	go func() {
		proxy := httputil.NewSingleHostReverseProxy(target)
		_ = http.Serve(listener, guardDatastore(logMethods(proxy, *methodsFile), *downloadsFile, *cutAfter))
	}()

	ready, _ := json.Marshal(map[string]interface{}{
		"url":           fmt.Sprintf("%s://%s/sdk", scheme, listener.Addr().String()),
		"thumbprint":    thumbprint,
		"datastore":     dsName,
		"datastorePath": dsPath,
		"vms":           created,
	})
	fmt.Println(string(ready))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		_, _ = io.Copy(ioutil.Discard, os.Stdin)
		stop <- syscall.SIGTERM
	}()
	<-stop
}

func populate(ctx context.Context, client *govmomi.Client, spec inventory) ([]createdVM, string, string, error) {
	finder := find.NewFinder(client.Client, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, "", "", err
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, "", "", err
	}
	pool, err := finder.DefaultResourcePool(ctx)
	if err != nil {
		return nil, "", "", err
	}
	host, err := finder.DefaultHostSystem(ctx)
	if err != nil {
		return nil, "", "", err
	}
	ds, err := finder.DefaultDatastore(ctx)
	if err != nil {
		return nil, "", "", err
	}
	var dsInfo mo.Datastore
	if err := ds.Properties(ctx, ds.Reference(), []string{"summary"}, &dsInfo); err != nil {
		return nil, "", "", err
	}
	dsName := dsInfo.Summary.Name
	dsPath := strings.TrimPrefix(dsInfo.Summary.Url, "file://")

	var created []createdVM
	for _, v := range spec.VMs {
		devices := object.VirtualDeviceList{}
		scsi, err := devices.CreateSCSIController("pvscsi")
		if err != nil {
			return nil, "", "", err
		}
		if v.SCSISharedBus != "" {
			scsi.(types.BaseVirtualSCSIController).GetVirtualSCSIController().SharedBus = types.VirtualSCSISharing(v.SCSISharedBus)
		}
		devices = append(devices, scsi)
		var files []string
		for i, d := range v.Disks {
			file := fmt.Sprintf("[%s] %s/%s_%d.vmdk", dsName, v.Name, v.Name, i)
			disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(), file)
			disk.CapacityInKB = d.CapacityBytes / 1024
			shapeDisk(disk, d)
			devices = append(devices, disk)
			files = append(files, file)
		}
		devices = append(devices, factDevices(v)...)
		for j, n := range v.NICs {
			network, err := finder.Network(ctx, n.Network)
			if err != nil {
				return nil, "", "", fmt.Errorf("VM %s: network %q: %v", v.Name, n.Network, err)
			}
			backing, err := network.EthernetCardBackingInfo(ctx)
			if err != nil {
				return nil, "", "", err
			}
			kind := "vmxnet3"
			if n.SRIOV {
				kind = "sriov"
			}
			card, err := devices.CreateEthernetCard(kind, backing)
			if err != nil {
				return nil, "", "", err
			}
			nic := card.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
			// vSphere's own label (the simulator's would be "ethernet-<unit>"), which facts name NICs by.
			nic.DeviceInfo = &types.Description{Label: fmt.Sprintf("Network adapter %d", j+1), Summary: n.Network}
			nic.MacAddress = n.MAC
			nic.AddressType = string(types.VirtualEthernetCardMacTypeManual)
			devices = append(devices, card)
		}
		changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
		if err != nil {
			return nil, "", "", err
		}
		for _, c := range changes {
			if _, ok := c.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); ok {
				c.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
			}
		}
		config := types.VirtualMachineConfigSpec{
			Name:                v.Name,
			NumCPUs:             v.CPUs,
			MemoryMB:            v.MemoryMiB,
			GuestId:             v.GuestID,
			Firmware:            v.Firmware,
			DeviceChange:        changes,
			Files:               &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", dsName)},
			CpuHotAddEnabled:    types.NewBool(v.CPUHotAdd),
			MemoryHotAddEnabled: types.NewBool(v.MemoryHotAdd),
			Annotation:          v.Annotation,
		}
		if v.HostName != "" {
			// The simulator's way to have a guest report what VMware Tools would (guest.hostName).
			config.ExtraConfig = []types.BaseOptionValue{&types.OptionValue{Key: "SET.guest.hostName", Value: v.HostName}}
		}
		task, err := folders.VmFolder.CreateVM(ctx, config, pool, host)
		if err != nil {
			return nil, "", "", err
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return nil, "", "", fmt.Errorf("VM %s: %v", v.Name, err)
		}
		vm := object.NewVirtualMachine(client.Client, info.Result.(types.ManagedObjectReference))
		if v.PowerState == "poweredOn" {
			if task, err := vm.PowerOn(ctx); err == nil {
				_ = task.Wait(ctx)
			}
		}
		if err := mapRawDisks(vm.Reference(), v.Disks); err != nil {
			return nil, "", "", fmt.Errorf("VM %s: %v", v.Name, err)
		}
		if err := reportGuestAddresses(vm.Reference(), v.NICs); err != nil {
			return nil, "", "", fmt.Errorf("VM %s: %v", v.Name, err)
		}
		if err := setAttributes(ctx, client, vm.Reference(), v.Attributes); err != nil {
			return nil, "", "", fmt.Errorf("VM %s: %v", v.Name, err)
		}
		var props mo.VirtualMachine
		if err := vm.Properties(ctx, vm.Reference(), []string{"config.uuid"}, &props); err != nil {
			return nil, "", "", err
		}
		created = append(created, createdVM{Name: v.Name, MoRef: vm.Reference().Value, UUID: props.Config.Uuid, Files: files, VmxDir: v.Name})
	}
	return created, dsName, dsPath, nil
}

// setAttributes gives the VM custom attribute values, defining each attribute once.
func setAttributes(ctx context.Context, client *govmomi.Client, ref types.ManagedObjectReference, attributes map[string]string) error {
	if len(attributes) == 0 {
		return nil
	}
	fields, err := object.GetCustomFieldsManager(client.Client)
	if err != nil {
		return err
	}
	for name, value := range attributes {
		key, err := fields.FindKey(ctx, name)
		if err != nil {
			def, err := fields.Add(ctx, name, "VirtualMachine", nil, nil)
			if err != nil {
				return err
			}
			key = def.Key
		}
		if err := fields.Set(ctx, ref, key, value); err != nil {
			return err
		}
	}
	return nil
}

// shapeDisk gives a flat disk the mode and sharing its spec asks for.
func shapeDisk(disk *types.VirtualDisk, d diskSpec) {
	flat := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	if d.Mode != "" {
		flat.DiskMode = d.Mode
	}
	if d.MultiWriter {
		flat.Sharing = string(types.VirtualDiskSharingSharingMultiWriter)
	}
}

// mapRawDisks makes the disks asked to be raw device mappings ones, as vSphere reports them. The
// simulator creates flat disks only (its disk layouts assume them), so their backings are swapped
// once the VM exists: such a VM must not be reconfigured or snapshotted afterwards.
func mapRawDisks(ref types.ManagedObjectReference, disks []diskSpec) error {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return fmt.Errorf("%s is not a simulated VM", ref.Value)
	}
	simulator.Map.WithLock(vm, func() {
		found := object.VirtualDeviceList(vm.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil))
		for i, d := range disks {
			if !d.RDM || i >= len(found) {
				continue
			}
			disk := found[i].(*types.VirtualDisk)
			flat := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			disk.Backing = &types.VirtualDiskRawDiskMappingVer1BackingInfo{
				VirtualDeviceFileBackingInfo: flat.VirtualDeviceFileBackingInfo,
				DeviceName:                   "vml.0200000000600508b1001c5e2f7e4b7a3a5c1d0e9f4c4f47494341",
				LunUuid:                      "0200000000600508b1001c5e2f7e4b7a3a5c1d0e9f4c4f47494341",
				CompatibilityMode:            string(types.VirtualDiskCompatibilityModeVirtualMode),
				DiskMode:                     flat.DiskMode,
				Sharing:                      flat.Sharing,
			}
		}
		simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.hardware.device", Val: vm.Config.Hardware.Device}})
	})
	return nil
}

// factDevices makes the devices a VM declares beyond disks and NICs: USB controllers, a TPM, PCI
// passthrough devices (the simulator adds any device it is given, as vSphere would on a host that has it).
func factDevices(v vmSpec) []types.BaseVirtualDevice {
	var out []types.BaseVirtualDevice
	key := int32(-9000) // unique placeholders: the simulator assigns the keys
	device := func(label string) types.VirtualDevice {
		key--
		d := types.VirtualDevice{Key: key}
		if label != "" {
			d.DeviceInfo = &types.Description{Label: label, Summary: label}
		}
		return d
	}
	for _, usb := range v.USBControllers {
		controller := types.VirtualController{VirtualDevice: device("")}
		if usb == "usb3" {
			out = append(out, &types.VirtualUSBXHCIController{VirtualController: controller, AutoConnectDevices: types.NewBool(true)})
		} else {
			out = append(out, &types.VirtualUSBController{VirtualController: controller, AutoConnectDevices: types.NewBool(true), EhciEnabled: types.NewBool(true)})
		}
	}
	if v.VTPM {
		out = append(out, &types.VirtualTPM{VirtualDevice: device("Virtual TPM")})
	}
	for i, label := range v.Passthrough {
		d := device(label)
		d.Backing = &types.VirtualPCIPassthroughDeviceBackingInfo{
			VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: label},
			Id:                             fmt.Sprintf("0000:3b:%02x.0", i),
			DeviceId:                       "1eb8",
			SystemId:                       "5f3a1b2c-0000-0000-0000-000000000001",
			VendorId:                       0x10de,
		}
		out = append(out, &types.VirtualPCIPassthrough{VirtualDevice: d})
	}
	return out
}

// reportGuestAddresses has the guest report the NICs' addresses in guest.net, as VMware Tools do
// (with the older ipAddress list and ipConfig's prefixes). The simulator lists every NIC there,
// with its MAC and device key, but never with an address, and has no API to set one with a prefix.
func reportGuestAddresses(ref types.ManagedObjectReference, nics []nicSpec) error {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return fmt.Errorf("%s is not a simulated VM", ref.Value)
	}
	var err error
	simulator.Map.WithLock(vm, func() {
		var net []types.GuestNicInfo
		if vm.Guest != nil {
			net = append(net, vm.Guest.Net...)
		}
		first := ""
		for _, n := range nics {
			if len(n.Addresses) == 0 {
				continue
			}
			i := 0
			for i < len(net) && !strings.EqualFold(net[i].MacAddress, n.MAC) {
				i++
			}
			if i == len(net) {
				err = fmt.Errorf("no guest NIC with MAC %s", n.MAC)
				return
			}
			config := &types.NetIpConfigInfo{}
			net[i].IpAddress = nil
			for _, a := range n.Addresses {
				net[i].IpAddress = append(net[i].IpAddress, a.IP)
				config.IpAddress = append(config.IpAddress, types.NetIpConfigInfoIpAddress{
					IpAddress: a.IP, PrefixLength: a.Prefix, State: string(types.NetIpConfigInfoIpAddressStatusPreferred),
				})
				if first == "" {
					first = a.IP
				}
			}
			net[i].IpConfig = config
		}
		if first != "" {
			simulator.Map.Update(vm, []types.PropertyChange{
				{Name: "guest.net", Val: net},
				{Name: "guest.ipAddress", Val: first},
				{Name: "guest.toolsRunningStatus", Val: string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)},
			})
		}
	})
	return err
}

// guardDatastore lets /folder requests through only with a session cookie some SOAP answer set,
// logs them ("METHOD path range"), and breaks off the first GET of each path that asks for more
// than cutAfter bytes from its start, after cutAfter bytes. Everything else goes to next, which records the cookies it hands out.
func guardDatastore(next http.Handler, file string, cutAfter int64) http.Handler {
	var mu sync.Mutex
	sessions := map[string]bool{}
	cut := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/folder/") {
			next.ServeHTTP(&cookieRecorder{ResponseWriter: w, record: func(c string) {
				mu.Lock()
				sessions[c] = true
				mu.Unlock()
			}}, r)
			return
		}
		cookie, err := r.Cookie("vmware_soap_session")
		mu.Lock()
		allowed := err == nil && sessions[cookie.Value]
		breakOff := cutAfter > 0 && r.Method == http.MethodGet && asksFromStart(r.Header.Get("Range"), cutAfter) && !cut[r.URL.Path]
		if breakOff {
			cut[r.URL.Path] = true
		}
		if file != "" {
			if f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				fmt.Fprintf(f, "%s %s %s\n", r.Method, r.URL.Path, r.Header.Get("Range"))
				f.Close()
			}
		}
		mu.Unlock()
		if !allowed {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		if breakOff {
			w = &breakingWriter{ResponseWriter: w, left: cutAfter}
		}
		next.ServeHTTP(w, r)
	})
}

// asksFromStart says whether a GET with this Range header asks for more than n bytes from the
// file's start: the whole file, or a first range as a streaming reader asks.
func asksFromStart(header string, n int64) bool {
	if header == "" || header == "bytes=0-" {
		return true
	}
	var end int64
	if _, err := fmt.Sscanf(header, "bytes=0-%d", &end); err != nil {
		return false
	}
	return end+1 > n
}

// cookieRecorder passes a response through, noting the session cookie it sets.
type cookieRecorder struct {
	http.ResponseWriter
	record func(string)
}

func (c *cookieRecorder) WriteHeader(status int) {
	for _, line := range c.Header()["Set-Cookie"] {
		if strings.HasPrefix(line, "vmware_soap_session=") {
			c.record(strings.SplitN(strings.TrimPrefix(line, "vmware_soap_session="), ";", 2)[0])
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

// breakingWriter writes up to left bytes, then aborts the connection mid-body.
type breakingWriter struct {
	http.ResponseWriter
	left int64
}

func (b *breakingWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > b.left {
		_, _ = b.ResponseWriter.Write(p[:b.left])
		if f, ok := b.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	b.left -= int64(len(p))
	return b.ResponseWriter.Write(p)
}

// logMethods appends the SOAP method of every request (the first element in the Body) to a file.
func logMethods(next http.Handler, file string) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if file != "" && r.Method == http.MethodPost {
			body, _ := ioutil.ReadAll(r.Body)
			r.Body = ioutil.NopCloser(bytes.NewReader(body))
			method := soapMethod(body)
			mu.Lock()
			if f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				fmt.Fprintln(f, method)
				f.Close()
			}
			mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func soapMethod(body []byte) string {
	decoder := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		token, err := decoder.Token()
		if err != nil {
			return "?"
		}
		if start, ok := token.(xml.StartElement); ok {
			if inBody {
				return start.Name.Local
			}
			inBody = start.Name.Local == "Body"
		}
	}
}

// selfSigned makes a certificate for 127.0.0.1 and returns it with its SHA-1 thumbprint, as vSphere shows them.
func selfSigned() (tls.Certificate, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	template := x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "ferry-vcsim"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	sum := sha1.Sum(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, strings.Join(parts, ":")
}
