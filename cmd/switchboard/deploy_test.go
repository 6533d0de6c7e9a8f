package main

// The deployment kit in deploy/ is exercised here, without Docker or
// systemd: the binary is built with the very `go build` command line of
// deploy/Dockerfile and started with the flags and environment of
// deploy/switchboard.service, and the files that must agree with each other
// (ports, settings, hardening) are checked against each other.

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// deployVersion is the VERSION build argument the test builds with.
const deployVersion = "deploy-test"

// TestDeployImageBinaryWithSystemdUnit builds the binary exactly as the
// image does, checks that it is static and stripped, then runs it as the
// systemd unit would (its ExecStart flags, its Environment=, stopped with
// its KillSignal= within its TimeoutStopSec=) with a temporary data dir and
// a free loopback port.
func TestDeployImageBinaryWithSystemdUnit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the image and the systemd unit are for Linux")
	}
	root := deployRepoRoot(t)
	bin := deployBuildLikeDockerfile(t, root)
	deployCheckStaticELF(t, bin)

	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "switchboard "+deployVersion {
		t.Fatalf("version: %q, %v; want the -X main.version of the Dockerfile's build", out, err)
	}

	u := deployParseUnit(t, filepath.Join(root, "deploy", "switchboard.service"))
	deployRunLikeUnit(t, bin, u)
}

// deployRepoRoot finds the module root (the Docker build context).
func deployRepoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

func deployRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dockerfileInstructions returns the Dockerfile's instructions with line
// continuations joined and comment lines dropped, as Docker reads them.
func dockerfileInstructions(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(trimmed)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	return out
}

// shellWords splits a simple shell command line into words: blanks
// separate words, single quotes keep their text literally, double quotes
// keep blanks, and $NAME and ${NAME} outside single quotes expand from vars
// (a variable not in vars is an error, so nothing expands by accident).
// Operators such as && or ; are refused: the command lines this test reads
// must stay simple.
func shellWords(s string, vars map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(i int) (int, error) { // s[i] == '$'
		var name string
		end := i + 1
		if end < len(s) && s[end] == '{' {
			rb := strings.IndexByte(s[end:], '}')
			if rb < 0 {
				return 0, fmt.Errorf("unterminated ${ in %q", s)
			}
			name, end = s[end+1:end+rb], end+rb+1
		} else {
			for end < len(s) && (s[end] == '_' || s[end] >= 'A' && s[end] <= 'Z' || s[end] >= 'a' && s[end] <= 'z' || s[end] >= '0' && s[end] <= '9') {
				end++
			}
			name = s[i+1 : end]
		}
		v, ok := vars[name]
		if !ok {
			return 0, fmt.Errorf("unknown variable %q in %q", name, s)
		}
		cur.WriteString(v)
		return end, nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			inWord, i = true, i+end+2
		case c == '"':
			inWord = true
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated \" in %q", s)
				}
				if s[i] == '"' {
					i++
					break
				}
				if s[i] == '$' {
					n, err := expand(i)
					if err != nil {
						return nil, err
					}
					i = n
					continue
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
				i++
			}
		case c == '$':
			n, err := expand(i)
			if err != nil {
				return nil, err
			}
			inWord, i = true, n
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			inWord, i = true, i+2
		case strings.IndexByte(";&|<>`()", c) >= 0:
			return nil, fmt.Errorf("shell operator %q in %q: keep the command simple", c, s)
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// goBuildLine is a `go build` command line: leading NAME=value
// assignments, then the go command's arguments.
type goBuildLine struct {
	env  []string
	args []string // after "go"
}

func (b goBuildLine) flagValue(name string) (string, bool) {
	for i, a := range b.args {
		if a == name && i+1 < len(b.args) {
			return b.args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

func parseGoBuild(words []string) (goBuildLine, error) {
	var b goBuildLine
	for len(words) > 0 && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(words[0]) {
		b.env, words = append(b.env, words[0]), words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		return b, fmt.Errorf("not a go build command: %q", words)
	}
	b.args = words[1:]
	return b, nil
}

// dockerfileGoBuild extracts the `go build` of the Dockerfile's build stage,
// with its build arguments set: VERSION to deployVersion, TARGETOS and
// TARGETARCH to this machine's, other ARGs to their defaults.
func dockerfileGoBuild(t *testing.T, dockerfile string) goBuildLine {
	t.Helper()
	vars := map[string]string{"VERSION": deployVersion, "TARGETOS": runtime.GOOS, "TARGETARCH": runtime.GOARCH}
	var found []goBuildLine
	for _, ins := range dockerfileInstructions(dockerfile) {
		keyword, rest, _ := strings.Cut(ins, " ")
		switch strings.ToUpper(keyword) {
		case "ARG":
			name, def, _ := strings.Cut(strings.TrimSpace(rest), "=")
			if _, set := vars[name]; !set {
				vars[name] = def
			}
		case "RUN":
			if !strings.Contains(rest, "go build") {
				continue
			}
			// RUN's own flags (--mount=…) come before the command.
			rest = strings.TrimSpace(rest)
			for strings.HasPrefix(rest, "--") {
				_, rest, _ = strings.Cut(rest, " ")
				rest = strings.TrimSpace(rest)
			}
			words, err := shellWords(rest, vars)
			if err != nil {
				t.Fatalf("Dockerfile: %v", err)
			}
			b, err := parseGoBuild(words)
			if err != nil {
				t.Fatalf("Dockerfile: %v", err)
			}
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("Dockerfile: want exactly one RUN with go build, found %d", len(found))
	}
	return found[0]
}

// makefileGoBuild extracts the recipe of `make build`.
func makefileGoBuild(t *testing.T, makefile string) goBuildLine {
	t.Helper()
	_, recipe, ok := strings.Cut(makefile, "\nbuild:\n")
	if !ok {
		t.Fatal("Makefile: no build target")
	}
	line, _, _ := strings.Cut(strings.TrimSpace(recipe), "\n")
	// $(GO) is make's variable for the go command.
	words, err := shellWords(strings.ReplaceAll(line, "$(GO)", "go"), nil)
	if err != nil {
		t.Fatalf("Makefile: %v", err)
	}
	b, err := parseGoBuild(words)
	if err != nil {
		t.Fatalf("Makefile: %v", err)
	}
	return b
}

// deployBuildLikeDockerfile runs the Dockerfile's go build (output into a
// temporary directory) after checking that it is `make build` plus the
// version and the target platform.
func deployBuildLikeDockerfile(t *testing.T, root string) string {
	t.Helper()
	img := dockerfileGoBuild(t, deployRead(t, filepath.Join(root, "deploy", "Dockerfile")))
	mk := makefileGoBuild(t, deployRead(t, filepath.Join(root, "Makefile")))

	for _, e := range mk.env {
		if !slices.Contains(img.env, e) {
			t.Errorf("Dockerfile's go build lacks %s of make build (env %q)", e, img.env)
		}
	}
	for _, e := range img.env {
		name, _, _ := strings.Cut(e, "=")
		if !slices.Contains(mk.env, e) && name != "GOOS" && name != "GOARCH" {
			t.Errorf("Dockerfile's go build sets %s, which make build does not", e)
		}
	}
	if !slices.Contains(img.args, "-trimpath") || !slices.Contains(mk.args, "-trimpath") {
		t.Errorf("both builds must use -trimpath: image %q, make %q", img.args, mk.args)
	}
	imgLD, _ := img.flagValue("-ldflags")
	mkLD, _ := mk.flagValue("-ldflags")
	for _, f := range strings.Fields(mkLD) {
		if !slices.Contains(strings.Fields(imgLD), f) {
			t.Errorf("Dockerfile's -ldflags %q lack %s of make build", imgLD, f)
		}
	}
	if !strings.Contains(imgLD, "-X main.version="+deployVersion) {
		t.Errorf("Dockerfile's -ldflags %q do not set main.version from VERSION", imgLD)
	}
	if img.args[len(img.args)-1] != mk.args[len(mk.args)-1] {
		t.Errorf("the image builds %s, make build %s", img.args[len(img.args)-1], mk.args[len(mk.args)-1])
	}

	bin := filepath.Join(t.TempDir(), "switchboard")
	args := slices.Clone(img.args)
	i := slices.Index(args, "-o")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("Dockerfile's go build has no -o: %q", args)
	}
	args[i+1] = bin
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), img.env...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s go %s: %v\n%s", strings.Join(img.env, " "), shellJoin(args), err, out)
	}
	t.Logf("built like the image in %v: %s go %s", time.Since(start).Round(time.Millisecond), strings.Join(img.env, " "), shellJoin(args))
	return bin
}

// shellJoin quotes the words that need it, for messages.
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		if w == "" || strings.ContainsAny(w, " \t\"'$\\") {
			out[i] = strconv.Quote(w)
		}
	}
	return strings.Join(out, " ")
}

// deployCheckStaticELF checks that bin runs on an empty image: no program
// interpreter, no dynamic section, no shared libraries; and that -s -w and
// the build settings took effect.
func deployCheckStaticELF(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has a %v program header: it is not static and will not run on scratch", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary needs shared libraries %q", libs)
	}
	if f.Section(".symtab") != nil {
		t.Error("binary has a symbol table: -ldflags -s did not apply")
	}
	if f.Section(".debug_info") != nil || f.Section(".zdebug_info") != nil {
		t.Error("binary has DWARF: -ldflags -w did not apply")
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings CGO_ENABLED=%q -trimpath=%q, want 0 and true", settings["CGO_ENABLED"], settings["-trimpath"])
	}
}

// systemdUnit is what the test needs from deploy/switchboard.service.
type systemdUnit struct {
	execStart   []string
	env         []string // Environment= assignments, in order
	killSignal  string
	timeoutStop time.Duration
	directives  map[string][]string // every [Service] directive's values
}

func deployParseUnit(t *testing.T, path string) systemdUnit {
	t.Helper()
	u := systemdUnit{directives: map[string][]string{}}
	section := ""
	for _, line := range strings.Split(deployRead(t, path), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = line
			continue
		}
		if strings.HasSuffix(line, "\\") {
			t.Fatalf("%s: continued lines are not supported by this test: %q", path, line)
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not a directive: %q", path, line)
		}
		if section != "[Service]" {
			continue
		}
		u.directives[key] = append(u.directives[key], value)
		switch key {
		case "ExecStart":
			words, err := shellWords(strings.TrimLeft(value, "-@+!:"), nil)
			if err != nil {
				t.Fatalf("%s: ExecStart: %v", path, err)
			}
			u.execStart = words
		case "Environment":
			words, err := shellWords(value, nil)
			if err != nil {
				t.Fatalf("%s: Environment: %v", path, err)
			}
			u.env = append(u.env, words...)
		case "KillSignal":
			u.killSignal = value
		case "TimeoutStopSec":
			d, err := time.ParseDuration(value)
			if err != nil {
				n, err2 := strconv.Atoi(value)
				if err2 != nil {
					t.Fatalf("%s: TimeoutStopSec=%q: %v", path, value, err)
				}
				d = time.Duration(n) * time.Second
			}
			u.timeoutStop = d
		}
	}
	if len(u.execStart) < 2 || u.execStart[1] != "serve" {
		t.Fatalf("%s: ExecStart %q must run `switchboard serve`", path, u.execStart)
	}
	if u.timeoutStop == 0 {
		t.Fatalf("%s: no TimeoutStopSec=", path)
	}
	return u
}

// lockedLines collects a process's output lines safely across goroutines.
type lockedLines struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	onLine  func(string)
}

func (l *lockedLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		l.lines = append(l.lines, line)
		if l.onLine != nil {
			l.onLine(line)
		}
	}
	return len(p), nil
}

func (l *lockedLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.lines)
	if len(l.partial) > 0 {
		out = append(out, string(l.partial))
	}
	return out
}

// replaceFlag sets the value of --name (either "--name v" or "--name=v")
// in args, failing when the unit does not pass the flag explicitly.
func replaceFlag(t *testing.T, args []string, name, value string) {
	t.Helper()
	for i, a := range args {
		if (a == "--"+name || a == "-"+name) && i+1 < len(args) {
			args[i+1] = value
			return
		}
		if strings.HasPrefix(a, "--"+name+"=") || strings.HasPrefix(a, "-"+name+"=") {
			args[i] = "--" + name + "=" + value
			return
		}
	}
	t.Fatalf("the unit's ExecStart does not pass --%s explicitly: %q", name, args)
}

// deployRunLikeUnit starts bin with the unit's flags and environment, with
// the data dir replaced by a temporary one and the address by a free
// loopback port, waits until it is ready, and stops it like systemd.
func deployRunLikeUnit(t *testing.T, bin string, u systemdUnit) {
	t.Helper()
	dataDir := filepath.Join(t.TempDir(), "state") // like StateDirectory=, not yet created
	workDir, tmpDir := t.TempDir(), t.TempDir()
	// The keys live apart from the data (docs/deploy.md, Key placement):
	// the unit's key directory, created by the install steps, must be
	// writable for the service, and becomes a temporary directory here.
	const unitKeyDir = "/etc/switchboard/keys"
	keyDir := t.TempDir()
	if rw := strings.Join(u.directives["ReadWritePaths"], " "); !slices.Contains(strings.Fields(rw), unitKeyDir) {
		t.Errorf("ReadWritePaths=%q lacks the key directory %s", rw, unitKeyDir)
	}
	env := slices.Clone(u.env)
	keyFiles := map[string]string{}
	for i, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "SWITCHBOARD_MASTER_KEY_FILE" || k == "SWITCHBOARD_BACKUP_KEY_FILE" {
			if filepath.Dir(v) != unitKeyDir {
				t.Fatalf("%s=%s: want a file in %s, outside the data dir", k, v, unitKeyDir)
			}
			keyFiles[k] = filepath.Join(keyDir, filepath.Base(v))
			env[i] = k + "=" + keyFiles[k]
		}
	}
	if keyFiles["SWITCHBOARD_MASTER_KEY_FILE"] == "" || keyFiles["SWITCHBOARD_BACKUP_KEY_FILE"] == "" {
		t.Fatalf("the unit must set SWITCHBOARD_MASTER_KEY_FILE and SWITCHBOARD_BACKUP_KEY_FILE: %q", u.env)
	}
	args := slices.Clone(u.execStart[1:])
	replaceFlag(t, args, "data-dir", dataDir)
	// Port 0: the kernel picks a free port and the "listening" log line
	// names it, so no other process can take it between choosing and use.
	replaceFlag(t, args, "addr", "127.0.0.1:0")
	if i := slices.Index(args, "--log-format"); i < 0 || i+1 >= len(args) || args[i+1] != "json" {
		t.Fatalf("the unit should log JSON to the journal (--log-format json): %q", u.execStart)
	}

	cmd := exec.Command(bin, args...)
	// systemd starts services with an almost empty environment: the unit's
	// Environment= lines (the optional EnvironmentFile does not exist
	// here) and PATH. TMPDIR and the working directory point at empty
	// directories that must stay empty: the service writes only to its
	// state directory (ProtectSystem=strict, read-only root in the image).
	cmd.Env = append(env, "PATH=/usr/local/bin:/usr/bin:/bin", "TMPDIR="+tmpDir)
	cmd.Dir = workDir
	listening := make(chan string, 1)
	stderr := &lockedLines{onLine: func(line string) {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			select {
			case listening <- rec.Addr:
			default:
			}
		}
	}}
	stdout := &lockedLines{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("stderr:\n%s\nstdout:\n%s", strings.Join(stderr.all(), "\n"), strings.Join(stdout.all(), "\n"))
		}
	}()

	var base string
	select {
	case addr := <-listening:
		base = "http://" + addr
	case err := <-exited:
		stopped = true
		t.Fatalf("exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no \"listening\" log line within 30s")
	}
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, string) {
		resp, err := client.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := get("/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready within 30s: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := get("/healthz"); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	// The metrics docs/deploy.md tells operators to watch and alert on.
	_, metricsText := get("/metrics")
	for _, m := range []string{
		"switchboard_http_request_duration_seconds", "switchboard_webhook_queue_depth",
		"switchboard_outbox_depth", "switchboard_db_write_queue", "switchboard_realtime_subscribers",
		"switchboard_realtime_slow_disconnects_total", "process_start_time_seconds",
	} {
		if !strings.Contains(metricsText, "\n"+m) && !strings.HasPrefix(metricsText, m) {
			t.Errorf("/metrics lacks %s, which docs/deploy.md documents", m)
		}
	}
	// docs/deploy.md sends operators to the logs for the setup link.
	if !strings.Contains(strings.Join(stdout.all(), "\n"), "/setup#token=") {
		t.Error("no one-time setup link on standard output")
	}

	sig := map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT}[u.killSignal]
	if sig == 0 {
		t.Fatalf("KillSignal=%q: want SIGTERM or SIGINT, the signals switchboard shuts down gracefully on", u.killSignal)
	}
	start := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("exit after %s: %v, want status 0", u.killSignal, err)
		}
		t.Logf("%s: exited 0 after %v (TimeoutStopSec=%v)", u.killSignal, time.Since(start).Round(time.Millisecond), u.timeoutStop)
	case <-time.After(u.timeoutStop):
		t.Fatalf("still running %v after %s: systemd would SIGKILL it (TimeoutStopSec)", u.timeoutStop, u.killSignal)
	}

	// Every log line is one JSON object (journald and log shippers parse
	// them); the setup link goes to standard output as text on purpose.
	var msgs []string
	for _, line := range stderr.all() {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line without %q: %q", k, line)
			}
		}
		msg, _ := rec["msg"].(string)
		msgs = append(msgs, msg)
	}
	for _, want := range []string{"listening", "shutting down"} {
		if !slices.Contains(msgs, want) {
			t.Errorf("no %q log line; got %q", want, msgs)
		}
	}

	// State only in the data dir (the database) and the key dir (the
	// master key, private); no key beside the data, and no warning.
	fi, err := os.Stat(keyFiles["SWITCHBOARD_MASTER_KEY_FILE"])
	if err != nil {
		t.Fatalf("master key not created in the key dir: %v", err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("master key mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(dataDir, "master.key")); err == nil {
		t.Error("a master key in the data dir")
	}
	if slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, "KEY FILE INSIDE") }) {
		t.Errorf("warned about a key inside the data dir: %q", msgs)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "switchboard.db")); err != nil {
		t.Errorf("SQLite database not in the data dir: %v", err)
	}
	for _, dir := range []string{workDir, tmpDir} {
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("wrote outside the data dir, into %s: %v", dir, entries)
		}
	}
}

// TestDeployFilesAgree checks what the deployment files must agree on:
// the port Switchboard listens on in the image, the compose file and
// Caddy; the container's and the unit's hardening; and that the settings
// named anywhere in deploy/ exist.
func TestDeployFilesAgree(t *testing.T) {
	root := deployRepoRoot(t)
	dockerfile := deployRead(t, filepath.Join(root, "deploy", "Dockerfile"))
	compose := deployRead(t, filepath.Join(root, "deploy", "compose.yaml"))
	caddyfile := deployRead(t, filepath.Join(root, "deploy", "Caddyfile"))

	// The image: final stage, user, listen address.
	var envs []string
	lastFrom, user := "", ""
	for _, ins := range dockerfileInstructions(dockerfile) {
		keyword, rest, _ := strings.Cut(ins, " ")
		switch strings.ToUpper(keyword) {
		case "FROM":
			lastFrom, user, envs = rest, "", nil
		case "USER":
			user = rest
		case "ENV":
			words, err := shellWords(rest, nil)
			if err != nil {
				t.Fatalf("Dockerfile ENV: %v", err)
			}
			envs = append(envs, words...)
		}
	}
	if lastFrom != "scratch" {
		t.Errorf("final stage FROM %q, want scratch", lastFrom)
	}
	if user != "65532:65532" {
		t.Errorf("final stage USER %q, want 65532:65532", user)
	}
	imageEnv := map[string]string{}
	for _, e := range envs {
		k, v, _ := strings.Cut(e, "=")
		imageEnv[k] = v
	}
	addr := imageEnv["SWITCHBOARD_ADDR"]
	_, port, ok := strings.Cut(addr, ":")
	if !strings.HasPrefix(addr, "0.0.0.0:") || !ok || port == "" {
		t.Fatalf("image SWITCHBOARD_ADDR=%q, want 0.0.0.0:<port>", addr)
	}
	if imageEnv["SWITCHBOARD_DATA_DIR"] != "/data" || !strings.Contains(dockerfile, "\nVOLUME /data\n") {
		t.Errorf("image data dir %q, want /data and VOLUME /data", imageEnv["SWITCHBOARD_DATA_DIR"])
	}
	if !strings.Contains(dockerfile, "\nEXPOSE "+port+"\n") {
		t.Errorf("Dockerfile does not EXPOSE %s", port)
	}

	// The compose file's switchboard service.
	sb := yamlBlock(compose, "services", "switchboard")
	if sb == "" {
		t.Fatal("compose.yaml: no services.switchboard")
	}
	for _, want := range []string{
		"SWITCHBOARD_ADDR: " + addr,
		"SWITCHBOARD_DATA_DIR: /data",
		"SWITCHBOARD_PUBLIC_URL: https://${DOMAIN",
		`SWITCHBOARD_TRUST_PROXY: "true"`,
		"- switchboard_data:/data",
		"SWITCHBOARD_MASTER_KEY_FILE: /keys/master.key",
		"SWITCHBOARD_BACKUP_KEY_FILE: /keys/backup.key",
		"- switchboard_keys:/keys",
		`- "` + port + `"`,
		"read_only: true",
		"- ALL",
		"- no-new-privileges:true",
		"env_file: switchboard.env",
	} {
		if !strings.Contains(sb, want) {
			t.Errorf("compose.yaml services.switchboard lacks %q", want)
		}
	}
	if strings.Contains(sb, "ports:") || strings.Contains(sb, "tmpfs") {
		t.Error("compose.yaml: switchboard must publish no ports and need no tmpfs")
	}
	if !strings.Contains(yamlBlock(compose, "services", "caddy"), "./Caddyfile:/etc/caddy/Caddyfile") {
		t.Error("compose.yaml: caddy does not mount deploy/Caddyfile")
	}
	if !regexp.MustCompile(`profiles:\s*\n\s*- postgres\n`).MatchString(yamlBlock(compose, "services", "postgres") + "\n") {
		t.Error("compose.yaml: postgres is not behind the postgres profile")
	}

	// Caddy proxies to the same port.
	m := regexp.MustCompile(`(?m)^\s*reverse_proxy\s+(\S+)`).FindAllStringSubmatch(caddyfile, -1)
	if len(m) != 1 || m[0][1] != "switchboard:"+port {
		t.Errorf("Caddyfile reverse_proxy %q, want exactly one to switchboard:%s", m, port)
	}

	// The unit's hardening (docs/deploy.md promises it).
	u := deployParseUnit(t, filepath.Join(root, "deploy", "switchboard.service"))
	for k, want := range map[string]string{
		"User": "switchboard", "StateDirectory": "switchboard", "NoNewPrivileges": "yes",
		"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
		"ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
		"ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces": "yes",
		"RestrictRealtime": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
		"MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native",
		"SystemCallFilter": "@system-service", "CapabilityBoundingSet": "", "UMask": "0077",
		"ReadWritePaths": "/var/lib/switchboard /etc/switchboard/keys", "KillSignal": "SIGTERM", "Restart": "on-failure",
		"EnvironmentFile": "-/etc/switchboard/switchboard.env",
	} {
		if got := u.directives[k]; len(got) != 1 || got[0] != want {
			t.Errorf("switchboard.service: %s=%q, want %q", k, got, want)
		}
	}
	if i := slices.Index(u.execStart, "--data-dir"); i < 0 || u.execStart[i+1] != "/var/lib/switchboard" {
		t.Errorf("switchboard.service: --data-dir must be the StateDirectory /var/lib/switchboard: %q", u.execStart)
	}

	// Settings named in deploy/ exist; the env example names them all.
	known := map[string]bool{}
	list, _ := settings(&Config{})
	for _, s := range list {
		known[s.env] = true
	}
	for _, e := range u.env {
		k, _, _ := strings.Cut(e, "=")
		if !known[k] {
			t.Errorf("switchboard.service sets unknown setting %s", k)
		}
	}
	for k := range imageEnv {
		if !known[k] {
			t.Errorf("Dockerfile sets unknown setting %s", k)
		}
	}
	example := deployRead(t, filepath.Join(root, "deploy", "switchboard.env.example"))
	for _, s := range list {
		if !regexp.MustCompile(`(?m)^(# )?` + s.env + `=`).MatchString(example) {
			t.Errorf("switchboard.env.example does not document %s", s.env)
		}
	}
	for _, files := range [][2]string{{"switchboard.env.example", example}, {"compose.yaml", compose}, {"switchboard.service", deployRead(t, filepath.Join(root, "deploy", "switchboard.service"))}} {
		for _, name := range regexp.MustCompile(`SWITCHBOARD_[A-Z0-9_]+`).FindAllString(files[1], -1) {
			if !known[name] {
				t.Errorf("%s names %s, which is not a setting", files[0], name)
			}
		}
	}
	// The example must parse as an env file: NAME=value lines and comments.
	sc := bufio.NewScanner(strings.NewReader(example))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !regexp.MustCompile(`^SWITCHBOARD_[A-Z0-9_]+=[^"'\s]*$`).MatchString(line) {
			t.Errorf("switchboard.env.example: %q is not a plain NAME=value line", line)
		}
	}
}

// yamlBlock returns the lines of the mapping at path in a YAML file
// indented by two spaces per level, such as compose.yaml: enough for the
// checks above without a YAML parser.
func yamlBlock(doc string, path ...string) string {
	lines := strings.Split(doc, "\n")
	start, end := 0, len(lines)
	for depth, key := range path {
		prefix := strings.Repeat("  ", depth) + key + ":"
		found := -1
		for i := start; i < end; i++ {
			if lines[i] == prefix || strings.HasPrefix(lines[i], prefix+" ") {
				found = i
				break
			}
		}
		if found < 0 {
			return ""
		}
		start, end = found+1, len(lines)
		for i := start; i < len(lines); i++ {
			l := lines[i]
			if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
				continue
			}
			if indent := len(l) - len(strings.TrimLeft(l, " ")); indent <= depth*2 {
				end = i
				break
			}
		}
	}
	return strings.Join(lines[start:end], "\n")
}
