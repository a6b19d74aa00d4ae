// An independent verifier of a Vitrine transparency log (docs/transparency.md), written against
// Go's golang.org/x/mod/sumdb/tlog and sumdb/note only (Debian's golang-golang-x-mod-dev), never
// against Vitrine's code. It reads the log the way any outside client would: the signed
// checkpoint, the C2SP tlog-tiles hash tiles and entry bundles, and the server's proof API.
//
// Build and run in GOPATH mode without network:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$(mktemp -d) GOFLAGS= go run main.go -url URL
//
// What it checks, exiting 1 with a "go-verifier: FAIL: ..." line at the first failure:
//   - the checkpoint opens with note.Open under the trusted verifier key (-key, or the hub's
//     /tlog/key when none is given), and its body is a C2SP checkpoint whose origin is the key name;
//   - every hash tile it reads is authenticated against the checkpoint's root
//     (tlog.TileHashReader);
//   - for every record: the entry bundle's bytes hash (tlog.RecordHash) to the authenticated leaf
//     hash, a proof built from the tiles (tlog.ProveRecord) and the server's own inclusion proof
//     (/api/tlog/proof/inclusion) both pass tlog.CheckRecord;
//   - consistency: for sizes 1, N/2, N-1, every -size and every -prev checkpoint, the server's
//     /api/tlog/proof/consistency proof passes tlog.CheckTree against the tree hash of that size
//     computed from the tiles; a -prev checkpoint must verify under the key, and be consistent
//     with (same size: equal to) the new one;
//   - every entry is canonical JSON with "v":1 and a known kind, with the kind's fields, and
//     /api/tlog/entries/<i> shows that entry; where it opens a sealed entry (-token of a user who
//     may read the repository), SHA-256("vitrine-sealed-entry\n" || nonce || canonical opened
//     entry) equals the commitment.
//
// It prints a summary (entries by kind, forced ref updates, ref deletions, repo actions).
// -save FILE writes the checkpoint it verified; -bundles FILE writes the raw entry bundles.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8
const tileWidth = 1 << tileHeight

var client = &http.Client{Timeout: 30 * time.Second}
var baseURL string
var verbose bool
var fetches int

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-verifier: FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func logf(format string, args ...interface{}) {
	if verbose {
		fmt.Fprintf(os.Stderr, "go-verifier: "+format+"\n", args...)
	}
}

var token string

// get fetches baseURL+path and returns the body of a 200 answer.
func get(path string) ([]byte, error) {
	fetches++
	req, err := http.NewRequest("GET", baseURL+path, nil)
	if err != nil {
		return nil, err
	}
	if token != "" && strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %v", path, err)
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, truncate(body))
	}
	return body, nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// checkpoint is a verified C2SP checkpoint.
type checkpoint struct {
	origin string
	size   int64
	hash   tlog.Hash
	raw    []byte
}

// openCheckpoint verifies the signed note under the trusted key and parses its C2SP body:
// origin, decimal size, base64 root hash, then optional extension lines.
func openCheckpoint(raw []byte, v note.Verifier, what string) (*checkpoint, error) {
	n, err := note.Open(raw, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("%s: signature does not verify under the trusted key %s: %v", what, v.Name(), err)
	}
	if len(n.Sigs) == 0 {
		return nil, fmt.Errorf("%s: no signature by the trusted key", what)
	}
	lines := strings.Split(n.Text, "\n")
	// Text ends with "\n", so the last element is empty.
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("%s: body is not origin, size, hash lines: %q", what, n.Text)
	}
	c := &checkpoint{raw: raw, origin: lines[0]}
	if c.origin != v.Name() {
		return nil, fmt.Errorf("%s: origin line %q is not the key name %q", what, c.origin, v.Name())
	}
	if !regexp.MustCompile(`^(0|[1-9][0-9]*)$`).MatchString(lines[1]) {
		return nil, fmt.Errorf("%s: size line %q is not a decimal number", what, lines[1])
	}
	c.size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: size line %q: %v", what, lines[1], err)
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return nil, fmt.Errorf("%s: root hash line %q is not base64 of 32 bytes", what, lines[2])
	}
	copy(c.hash[:], h)
	for _, ext := range lines[3 : len(lines)-1] {
		if ext == "" {
			return nil, fmt.Errorf("%s: empty extension line in body %q", what, n.Text)
		}
	}
	return c, nil
}

// c2spPath turns Go's tile path (tile/8/<L>/<N>[.p/<W>], tile/8/data/<N>[.p/<W>]) into the C2SP
// tlog-tiles path the hub serves (tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]). The <N>
// encoding (x001/x234/067) is the same in both.
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	prefix := fmt.Sprintf("tile/%d/", t.H)
	if !strings.HasPrefix(p, prefix) {
		fail("unexpected Go tile path %q", p)
	}
	rest := strings.TrimPrefix(p, prefix)
	if strings.HasPrefix(rest, "data/") {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tlog/tile/" + rest
}

// tileReader fetches hash tiles over HTTP; tlog.TileHashReader authenticates what it returns.
type tileReader struct {
	cache map[tlog.Tile][]byte
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if d, ok := r.cache[t]; ok {
			out[i] = d
			continue
		}
		d, err := get("/" + c2spPath(t))
		if err != nil {
			return nil, err
		}
		if len(d) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s: %d bytes, want %d", c2spPath(t), len(d), t.W*tlog.HashSize)
		}
		out[i] = d
	}
	return out, nil
}

// SaveTiles is called for tiles that were authenticated against the tree; only those are kept.
func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	for i, t := range tiles {
		r.cache[t] = data[i]
	}
}

// readBundle fetches entry bundle n of a tree of the given size and splits it into entries.
func readBundle(n, size int64, raw io.Writer) ([][]byte, error) {
	w := size - n*tileWidth
	if w > tileWidth {
		w = tileWidth
	}
	t := tlog.Tile{H: tileHeight, L: -1, N: n, W: int(w)}
	path := c2spPath(t)
	body, err := get("/" + path)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		raw.Write(body)
	}
	var entries [][]byte
	for rest := body; len(rest) > 0; {
		if len(rest) < 2 {
			return nil, fmt.Errorf("bundle %s: truncated length prefix", path)
		}
		l := int(rest[0])<<8 | int(rest[1])
		if len(rest) < 2+l {
			return nil, fmt.Errorf("bundle %s: entry %d announces %d bytes, %d left", path, len(entries), l, len(rest)-2)
		}
		entries = append(entries, rest[2:2+l])
		rest = rest[2+l:]
	}
	if int64(len(entries)) != w {
		return nil, fmt.Errorf("bundle %s: %d entries, want %d", path, len(entries), w)
	}
	return entries, nil
}

func parseHexHashes(list []string, what string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize || strings.ToLower(s) != s {
			return nil, fmt.Errorf("%s: hash %d %q is not 64 lowercase hex", what, i, s)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

type inclusionAnswer struct {
	Index    *int64   `json:"index"`
	TreeSize *int64   `json:"tree_size"`
	LeafHash string   `json:"leaf_hash"`
	Proof    []string `json:"proof"`
}

type consistencyAnswer struct {
	From  *int64   `json:"from"`
	To    *int64   `json:"to"`
	Proof []string `json:"proof"`
}

// serverConsistency fetches the hub's proof that the tree of size m (hash hm) is a prefix of
// the checkpoint's tree, and checks it with tlog.CheckTree.
func serverConsistency(cp *checkpoint, m int64, hm tlog.Hash) error {
	path := fmt.Sprintf("/api/tlog/proof/consistency?from=%d&to=%d", m, cp.size)
	body, err := get(path)
	if err != nil {
		return err
	}
	var a consistencyAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("%s: not JSON: %v: %s", path, err, truncate(body))
	}
	if a.From == nil || *a.From != m || a.To == nil || *a.To != cp.size || a.Proof == nil {
		return fmt.Errorf("%s: answer does not echo from/to or lacks proof: %s", path, truncate(body))
	}
	proof, err := parseHexHashes(a.Proof, path)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), cp.size, cp.hash, m, hm); err != nil {
		return fmt.Errorf("%s: server's consistency proof does not verify (tree %d hash %s): %v", path, m, hm, err)
	}
	return nil
}

// canonical re-encodes a JSON value the way the spec says entries are written: keys sorted,
// no spaces. Numbers keep their text.
func canonical(v interface{}) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)
var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

type summary struct {
	kinds       map[string]int
	forced      int
	refDeletes  int
	repoActions map[string]int
	via         map[string]int
	opened      int
	voided      map[int64]bool
}

func str(m map[string]interface{}, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok
}

// checkEntry parses entry i as canonical JSON and checks the fields of its kind.
func checkEntry(i int64, data []byte, kinds []string, s *summary) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]interface{}
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("entry %d is not a JSON object: %v: %s", i, err, truncate(data))
	}
	if dec.More() {
		return fmt.Errorf("entry %d has data after the JSON object", i)
	}
	if c, err := canonical(m); err != nil || !bytes.Equal(c, data) {
		return fmt.Errorf("entry %d is not canonical JSON (sorted keys, no spaces):\n  got  %s\n  want %s", i, data, c)
	}
	if v, ok := m["v"].(json.Number); !ok || v.String() != "1" {
		return fmt.Errorf("entry %d: \"v\" is not 1: %s", i, data)
	}
	kind, _ := str(m, "kind")
	kinds[i] = kind
	s.kinds[kind]++
	if _, ok := m["time"].(json.Number); !ok {
		return fmt.Errorf("entry %d: no numeric \"time\": %s", i, data)
	}
	switch kind {
	case "ref":
		for _, k := range []string{"repo", "repo_id", "ref", "actor", "via"} {
			if v, ok := str(m, k); !ok || v == "" {
				return fmt.Errorf("entry %d: ref entry without %q: %s", i, k, data)
			}
		}
		old, ok1 := str(m, "old")
		nw, ok2 := str(m, "new")
		tree, ok3 := str(m, "tree")
		if !ok1 || !ok2 || !ok3 || (old != "" && !hex40.MatchString(old)) || (nw != "" && !hex40.MatchString(nw)) ||
			(nw == "") != (tree == "") || (tree != "" && !hex40.MatchString(tree)) {
			return fmt.Errorf("entry %d: ref entry old/new/tree are not 40-hex or \"\" (tree empty iff new empty): %s", i, data)
		}
		if !strings.HasPrefix(m["ref"].(string), "refs/") {
			return fmt.Errorf("entry %d: ref %q is not a full ref name", i, m["ref"])
		}
		via := m["via"].(string)
		if via != "api" && via != "git" {
			return fmt.Errorf("entry %d: via %q is neither api nor git", i, via)
		}
		s.via[via]++
		forced, ok := m["forced"].(bool)
		if !ok {
			return fmt.Errorf("entry %d: ref entry without boolean \"forced\": %s", i, data)
		}
		if forced {
			s.forced++
		}
		if nw == "" {
			s.refDeletes++
		}
		if f, ok := m["files"]; ok {
			files, ok := f.([]interface{})
			if !ok {
				return fmt.Errorf("entry %d: \"files\" is not a list", i)
			}
			for _, fi := range files {
				fm, ok := fi.(map[string]interface{})
				if !ok {
					return fmt.Errorf("entry %d: a file is not an object", i)
				}
				if p, _ := str(fm, "path"); p == "" {
					return fmt.Errorf("entry %d: a file without path", i)
				}
				if h, _ := str(fm, "sha256"); !hex64.MatchString(h) {
					return fmt.Errorf("entry %d: a file's sha256 is not 64 hex", i)
				}
				if _, ok := fm["size"].(json.Number); !ok {
					return fmt.Errorf("entry %d: a file without numeric size", i)
				}
			}
		}
	case "repo":
		action, _ := str(m, "action")
		switch action {
		case "create", "delete", "rename", "visibility":
		default:
			return fmt.Errorf("entry %d: repo action %q unknown: %s", i, action, data)
		}
		s.repoActions[action]++
		for _, k := range []string{"repo", "repo_id", "actor"} {
			if v, ok := str(m, k); !ok || v == "" {
				return fmt.Errorf("entry %d: repo entry without %q: %s", i, k, data)
			}
		}
		if _, ok := m["private"].(bool); !ok {
			return fmt.Errorf("entry %d: repo entry without boolean \"private\": %s", i, data)
		}
		if action == "rename" {
			if v, _ := str(m, "from"); v == "" {
				return fmt.Errorf("entry %d: rename without \"from\": %s", i, data)
			}
		}
		if action == "delete" {
			if _, ok := m["refs"].(map[string]interface{}); !ok {
				return fmt.Errorf("entry %d: delete without \"refs\" object: %s", i, data)
			}
		}
	case "void":
		vn, ok := m["voids"].(json.Number)
		if !ok {
			return fmt.Errorf("entry %d: void without numeric \"voids\": %s", i, data)
		}
		v, err := vn.Int64()
		if err != nil || v < 0 || v >= i {
			return fmt.Errorf("entry %d: voids %s is not an earlier index", i, vn)
		}
		if k := kinds[v]; k != "ref" && k != "repo" && k != "sealed" {
			return fmt.Errorf("entry %d: voids entry %d of kind %q (not an intent)", i, v, k)
		}
		if s.voided[v] {
			return fmt.Errorf("entry %d: entry %d is voided twice", i, v)
		}
		s.voided[v] = true
		if _, ok := str(m, "reason"); !ok {
			return fmt.Errorf("entry %d: void without \"reason\": %s", i, data)
		}
	case "part":
		// The rest of a long list (files of a ref entry, refs of a deleted repository): part k
		// of n follows its entry at index i-k.
		of, _ := str(m, "of")
		if of != "files" && of != "refs" {
			return fmt.Errorf("entry %d: part of %q (not files or refs): %s", i, of, data)
		}
		pn, ok1 := m["part"].(json.Number)
		tn, ok2 := m["parts"].(json.Number)
		if !ok1 || !ok2 {
			return fmt.Errorf("entry %d: part without numeric part/parts: %s", i, data)
		}
		k, _ := pn.Int64()
		n, _ := tn.Int64()
		if k < 1 || k > n || k > i {
			return fmt.Errorf("entry %d: part %d of %d does not follow an entry", i, k, n)
		}
		if mk := kinds[i-k]; mk != "ref" && mk != "repo" && mk != "sealed" {
			return fmt.Errorf("entry %d: part %d follows entry %d of kind %q", i, k, i-k, mk)
		}
		if _, ok := m["items"].([]interface{}); !ok {
			return fmt.Errorf("entry %d: part without an items list: %s", i, data)
		}
	case "sealed":
		if c, _ := str(m, "commitment"); !hex64.MatchString(c) {
			return fmt.Errorf("entry %d: sealed commitment is not 64 hex: %s", i, data)
		}
		for k := range m {
			if k != "v" && k != "kind" && k != "commitment" && k != "time" {
				return fmt.Errorf("entry %d: sealed entry shows field %q: %s", i, k, data)
			}
		}
	default:
		return fmt.Errorf("entry %d: unknown kind %q: %s", i, kind, data)
	}
	return nil
}

// canonicalOf parses raw JSON (numbers kept as written) and re-encodes it canonically.
func canonicalOf(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return canonical(v)
}

type entryAnswer struct {
	Index    *int64          `json:"index"`
	LeafHash string          `json:"leaf_hash"`
	Entry    json.RawMessage `json:"entry"`
	Opened   *struct {
		Nonce string          `json:"nonce"`
		Entry json.RawMessage `json:"entry"`
	} `json:"opened"`
}

// checkEntryAPI compares /api/tlog/entries/<i> with the verified bundle bytes and, for a sealed
// entry the caller may read, checks the opening against the commitment:
// SHA-256("vitrine-sealed-entry\n" || nonce || entry bytes). Returns the opened entry, if any.
func checkEntryAPI(i int64, data []byte, kind string) (map[string]interface{}, error) {
	path := fmt.Sprintf("/api/tlog/entries/%d", i)
	body, err := get(path)
	if err != nil {
		return nil, err
	}
	var a entryAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %v: %s", path, err, truncate(body))
	}
	leaf := tlog.RecordHash(data)
	if a.Index == nil || *a.Index != i || a.LeafHash != hex.EncodeToString(leaf[:]) {
		return nil, fmt.Errorf("%s: index/leaf_hash do not match the verified entry: %s", path, truncate(body))
	}
	if c, err := canonicalOf(a.Entry); err != nil || !bytes.Equal(c, data) {
		return nil, fmt.Errorf("%s: entry %s is not the logged entry %s", path, a.Entry, data)
	}
	if a.Opened == nil {
		return nil, nil
	}
	if kind != "sealed" {
		return nil, fmt.Errorf("%s: \"opened\" on a %s entry", path, kind)
	}
	nonce, err := hex.DecodeString(a.Opened.Nonce)
	if err != nil || len(nonce) != 32 {
		return nil, fmt.Errorf("%s: opened nonce %q is not 32 bytes of hex", path, a.Opened.Nonce)
	}
	inner, err := canonicalOf(a.Opened.Entry)
	if err != nil {
		return nil, fmt.Errorf("%s: opened entry is not JSON: %v", path, err)
	}
	hsh := sha256.New()
	hsh.Write([]byte("vitrine-sealed-entry\n"))
	hsh.Write(nonce)
	hsh.Write(inner)
	var m map[string]interface{}
	json.Unmarshal(data, &m)
	if got := hex.EncodeToString(hsh.Sum(nil)); got != m["commitment"] {
		return nil, fmt.Errorf("%s: the opening hashes to %s, the commitment is %v (opened entry bytes %s)", path, got, m["commitment"], inner)
	}
	dec := json.NewDecoder(bytes.NewReader(inner))
	dec.UseNumber()
	var o map[string]interface{}
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("%s: opened entry is not an object", path)
	}
	if k, _ := str(o, "kind"); k != "ref" && k != "repo" && k != "part" {
		return nil, fmt.Errorf("%s: opened entry has kind %q: %s", path, k, inner)
	}
	if v, ok := o["v"].(json.Number); !ok || v.String() != "1" {
		return nil, fmt.Errorf("%s: opened entry without \"v\":1: %s", path, inner)
	}
	return o, nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	var key, keyFile, save, bundlesOut string
	var prevs, sizes multiFlag
	flag.StringVar(&baseURL, "url", "", "hub base URL (required)")
	flag.StringVar(&key, "key", "", "trusted verifier key <name>+<hash>+<base64> (default: the hub's /tlog/key)")
	flag.StringVar(&keyFile, "key-file", "", "file holding the trusted verifier key")
	flag.Var(&prevs, "prev", "earlier checkpoint file to check consistency with (repeatable)")
	flag.Var(&sizes, "size", "earlier tree size to check a consistency proof from (repeatable)")
	flag.StringVar(&save, "save", "", "write the verified checkpoint here")
	flag.StringVar(&bundlesOut, "bundles", "", "write the raw entry bundles here")
	flag.StringVar(&token, "token", "", "bearer token for /api/ calls (opens sealed entries the token may read)")
	flag.BoolVar(&verbose, "v", false, "verbose")
	flag.Parse()
	if baseURL == "" {
		fail("-url is required")
	}
	baseURL = strings.TrimSuffix(baseURL, "/")

	// The trust anchor: out of band when given, else trust on first use.
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			fail("reading -key-file: %v", err)
		}
		key = string(b)
	}
	served, err := get("/tlog/key")
	if err != nil {
		fail("fetching the hub's key: %v", err)
	}
	if key == "" {
		key = string(served)
		fmt.Println("warning: no -key given; trusting the hub's /tlog/key")
	}
	key = strings.TrimSpace(key)
	v, err := note.NewVerifier(key)
	if err != nil {
		fail("verifier key %q: %v", key, err)
	}

	raw, err := get("/tlog/checkpoint")
	if err != nil {
		fail("fetching the checkpoint: %v", err)
	}
	cp, err := openCheckpoint(raw, v, "/tlog/checkpoint")
	if err != nil {
		fail("%v", err)
	}
	if strings.TrimSpace(string(served)) != key {
		fail("the hub's /tlog/key %q is not the trusted key %q", strings.TrimSpace(string(served)), key)
	}
	if cp.size < 1 {
		fail("checkpoint size %d: the log is empty, nothing to verify", cp.size)
	}
	fmt.Printf("checkpoint: origin %s size %d root %s\n", cp.origin, cp.size, cp.hash)

	tr := &tileReader{cache: map[tlog.Tile][]byte{}}
	hr := tlog.TileHashReader(tlog.Tree{N: cp.size, Hash: cp.hash}, tr)

	// The root from the tiles must be the signed one (TileHashReader also checks this itself).
	th, err := tlog.TreeHash(cp.size, hr)
	if err != nil {
		fail("tree hash of size %d from tiles: %v", cp.size, err)
	}
	if th != cp.hash {
		fail("tiles hash to %s, checkpoint says %s", th, cp.hash)
	}

	// Every record: bundle bytes, authenticated leaf hash, local and server inclusion proofs.
	var bundles io.Writer
	if bundlesOut != "" {
		f, err := os.Create(bundlesOut)
		if err != nil {
			fail("%v", err)
		}
		defer f.Close()
		bundles = f
	}
	s := &summary{kinds: map[string]int{}, repoActions: map[string]int{}, via: map[string]int{}, voided: map[int64]bool{}}
	kinds := make([]string, cp.size)
	var bundle [][]byte
	for i := int64(0); i < cp.size; i++ {
		if i%tileWidth == 0 {
			bundle, err = readBundle(i/tileWidth, cp.size, bundles)
			if err != nil {
				fail("%v", err)
			}
		}
		data := bundle[i%tileWidth]
		leaf := tlog.RecordHash(data)
		hs, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			fail("leaf hash %d from tiles: %v", i, err)
		}
		if hs[0] != leaf {
			fail("entry %d: bundle bytes hash to %s, the authenticated tile holds %s", i, leaf, hs[0])
		}
		p, err := tlog.ProveRecord(cp.size, i, hr)
		if err != nil {
			fail("ProveRecord(%d, %d) from tiles: %v", cp.size, i, err)
		}
		if err := tlog.CheckRecord(p, cp.size, cp.hash, i, leaf); err != nil {
			fail("entry %d: proof from tiles does not verify: %v", i, err)
		}
		path := fmt.Sprintf("/api/tlog/proof/inclusion?index=%d&tree_size=%d", i, cp.size)
		body, err := get(path)
		if err != nil {
			fail("%v", err)
		}
		var a inclusionAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			fail("%s: not JSON: %v: %s", path, err, truncate(body))
		}
		if a.Index == nil || *a.Index != i || a.TreeSize == nil || *a.TreeSize != cp.size || a.Proof == nil {
			fail("%s: answer does not echo index/tree_size or lacks proof: %s", path, truncate(body))
		}
		if a.LeafHash != hex.EncodeToString(leaf[:]) {
			fail("%s: leaf_hash %s, the entry's record hash is %x", path, a.LeafHash, leaf[:])
		}
		sp, err := parseHexHashes(a.Proof, path)
		if err != nil {
			fail("%v", err)
		}
		if err := tlog.CheckRecord(tlog.RecordProof(sp), cp.size, cp.hash, i, leaf); err != nil {
			fail("%s: server's inclusion proof does not verify: %v", path, err)
		}
		if err := checkEntry(i, data, kinds, s); err != nil {
			fail("%v", err)
		}
		o, err := checkEntryAPI(i, data, kinds[i])
		if err != nil {
			fail("%v", err)
		}
		if o != nil {
			s.opened++
			r, _ := str(o, "repo")
			fmt.Printf("opened: entry %d kind %s repo %s\n", i, o["kind"], r)
		}
	}

	// Consistency from earlier sizes.
	want := map[int64]bool{1: true, cp.size / 2: true, cp.size - 1: true, cp.size: true}
	for _, x := range sizes {
		m, err := strconv.ParseInt(x, 10, 64)
		if err != nil || m < 1 {
			fail("-size %q is not a positive number", x)
		}
		if m > cp.size {
			fail("-size %d is beyond the checkpoint's size %d: the log shrank", m, cp.size)
		}
		want[m] = true
	}
	var ms []int64
	for m := range want {
		if m >= 1 {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(a, b int) bool { return ms[a] < ms[b] })
	for _, m := range ms {
		hm, err := tlog.TreeHash(m, hr)
		if err != nil {
			fail("tree hash of size %d from tiles: %v", m, err)
		}
		lp, err := tlog.ProveTree(cp.size, m, hr)
		if err != nil {
			fail("ProveTree(%d, %d) from tiles: %v", cp.size, m, err)
		}
		if err := tlog.CheckTree(lp, cp.size, cp.hash, m, hm); err != nil {
			fail("consistency %d -> %d from tiles does not verify: %v", m, cp.size, err)
		}
		if err := serverConsistency(cp, m, hm); err != nil {
			fail("%v", err)
		}
	}
	fmt.Printf("consistency: sizes %v -> %d verified\n", ms, cp.size)

	// Earlier checkpoints: signed by the same key, and a prefix of (or equal to) this tree.
	for _, file := range prevs {
		b, err := os.ReadFile(file)
		if err != nil {
			fail("-prev: %v", err)
		}
		pc, err := openCheckpoint(b, v, "-prev "+file)
		if err != nil {
			fail("%v", err)
		}
		switch {
		case pc.size > cp.size:
			fail("-prev %s has size %d, the hub's checkpoint %d: the log shrank", file, pc.size, cp.size)
		case pc.size == cp.size:
			if pc.hash != cp.hash {
				fail("-prev %s and the hub's checkpoint have size %d and different roots %s, %s", file, pc.size, pc.hash, cp.hash)
			}
		case pc.size == 0:
			// Nothing to prove: every log extends the empty one.
		default:
			hm, err := tlog.TreeHash(pc.size, hr)
			if err != nil {
				fail("tree hash of size %d from tiles: %v", pc.size, err)
			}
			if hm != pc.hash {
				fail("-prev %s: root of size %d is %s, the hub's tiles give %s (fork)", file, pc.size, pc.hash, hm)
			}
			if err := serverConsistency(cp, pc.size, pc.hash); err != nil {
				fail("-prev %s: %v", file, err)
			}
		}
		fmt.Printf("prev: %s (size %d) is consistent with size %d\n", file, pc.size, cp.size)
	}

	if save != "" {
		if err := os.WriteFile(save, cp.raw, 0o644); err != nil {
			fail("-save: %v", err)
		}
	}

	var names []string
	for k := range s.kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Printf("entries: %d verified (%d HTTP requests)\n", cp.size, fetches)
	for _, k := range names {
		fmt.Printf("kind %s: %d\n", k, s.kinds[k])
	}
	var actions []string
	for k := range s.repoActions {
		actions = append(actions, k)
	}
	sort.Strings(actions)
	for _, k := range actions {
		fmt.Printf("repo %s: %d\n", k, s.repoActions[k])
	}
	fmt.Printf("via api: %d\nvia git: %d\n", s.via["api"], s.via["git"])
	fmt.Printf("sealed opened: %d\n", s.opened)
	fmt.Printf("ref forced: %d\n", s.forced)
	fmt.Printf("ref deletions: %d\n", s.refDeletes)
	fmt.Println("go-verifier: OK")
}
