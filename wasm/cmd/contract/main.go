//go:build !js

// Command contract writes the JavaScript and TypeScript faces of the Go
// contracts, so that they are never kept by hand:
//
//   - web/gotoauth-contract.js, which the loader imports: the error codes
//     (wasm/oauth/errors.go) as constants, the published limits
//     (wasm/limits), the options of each call with the kind of value each
//     takes (wasm/options), the flows' names (oauth.FlowNames)
//     and what makes a URL a redirect (oauth.ResponseState, ResponseKinds);
//   - in web/gotoauth.d.ts, the GoToAuthErrorCode union and the options'
//     interfaces;
//   - in README.md, the tables of error codes, of limits and of the token
//     relay's timings (relay.Timings, redisstore.Timings,
//     relayserver.Timings).
//
// The last two are written between marker lines (BEGIN GENERATED name ...
// END GENERATED name); the rest of those files is written by hand, but
// where its prose names a limit's value, it writes the value followed by
// the limit's name, "60 s (`expiryMarginMs`)", and the value is rewritten
// from wasm/limits or the relay's timings (inlineLimits; a name that is
// neither fails the generation); where it writes a call with its options
// in braces, "`authorizeURL({clientId, scope?})`", the list is rewritten
// from wasm/options (inlineSignatures). A file is written only when its
// text changes. `make build` runs it, and
// main_test.go fails when a committed file differs from what it writes.
//
// A tool of the build, never built for js/wasm: it reads the relay's
// timings, and the relay is native Go.
package main

//go:generate go run .

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
	"gotoauth/web/relay/relayserver"
	"gotoauth/web/relay/store/redisstore"
)

func main() {
	root, err := repoRoot()
	if err == nil {
		err = write(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "contract:", err)
		os.Exit(1)
	}
}

// write generates every file under root, writing only those that change.
func write(root string) error {
	files, err := generate(root)
	if err != nil {
		return err
	}
	for name, text := range files {
		path := filepath.Join(root, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, text) {
			continue
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// repoRoot is the folder holding go.mod, from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// generate returns the new text of every generated file, by path from root.
func generate(root string) (map[string][]byte, error) {
	codes, err := readCodes(filepath.Join(root, "wasm", "oauth", "errors.go"))
	if err != nil {
		return nil, err
	}
	names, err := readOptionNames(filepath.Join(root, "wasm", "options", "options.go"))
	if err != nil {
		return nil, err
	}
	version, err := readVersion(filepath.Join(root, "web", "package.json"))
	if err != nil {
		return nil, err
	}
	kinds, err := readKinds(filepath.Join(root, "wasm", "options", "options.go"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{"web/gotoauth-contract.js": contractJS(codes, names, kinds, version)}
	for name, regions := range map[string]map[string]string{
		"web/gotoauth.d.ts": {"codes": codesDTS(codes), "options": optionsDTS()},
		"README.md":         {"codes": codesTable(codes), "limits": limitsTable(), "relay-timings": relayTimingsTable()},
	} {
		text, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return nil, err
		}
		for region, body := range regions {
			if text, err = replaceRegion(text, region, body, name == "README.md"); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		if text, err = inlineLimits(text); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = inlineSignatures(text)
	}
	return out, nil
}

// stringConst is one string constant of a Go file: its name, its value and
// its line comment.
type stringConst struct{ goName, value, comment string }

// readStringConsts reads, in order, the constants of the Go file at path
// that keep accepts, each of which must be a string literal.
func readStringConsts(path string, keep func(*ast.ValueSpec) bool) ([]stringConst, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []stringConst
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if !keep(v) {
				continue
			}
			lit, ok := v.Values[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return nil, fmt.Errorf("%s: %s must be a string literal", path, v.Names[0].Name)
			}
			value, err := strconv.Unquote(lit.Value)
			if err != nil {
				return nil, err
			}
			c := stringConst{goName: v.Names[0].Name, value: value}
			if v.Comment != nil {
				c.comment = strings.TrimSpace(v.Comment.Text())
			}
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no constants of the kind wanted", path)
	}
	return out, nil
}

// code is one error code: its Go constant's name, its value and its
// one-line meaning.
type code struct{ goName, value, meaning string }

// readCodes reads the error codes from errors.go, their one home: each
// constant of type Code, its value and its line comment, in order.
func readCodes(path string) ([]code, error) {
	consts, err := readStringConsts(path, func(v *ast.ValueSpec) bool {
		id, ok := v.Type.(*ast.Ident)
		return ok && id.Name == "Code"
	})
	if err != nil {
		return nil, err
	}
	out := make([]code, len(consts))
	for i, c := range consts {
		if c.comment == "" {
			return nil, fmt.Errorf("%s: the code %s needs a one-line meaning", path, c.goName)
		}
		out[i] = code{c.goName, c.value, c.comment}
	}
	return out, nil
}

// optionName is one of the options' names, by its Go constant's name
// (ClientID) and value (clientId).
type optionName struct{ goName, value string }

// readOptionNames reads the untyped string constants of options.go (the
// options' names; the kinds are typed), in order, so that the loader names
// each option by a constant too: OPT_CLIENT_ID.
func readOptionNames(path string) ([]optionName, error) {
	consts, err := readStringConsts(path, func(v *ast.ValueSpec) bool {
		return len(v.Names) == 1 && v.Type == nil && len(v.Values) == 1
	})
	if err != nil {
		return nil, err
	}
	out := make([]optionName, len(consts))
	for i, c := range consts {
		out[i] = optionName{c.goName, c.value}
	}
	return out, nil
}

const header = "Code generated by go generate (wasm/cmd/contract); DO NOT EDIT."

// kind is one option kind: its Go name less Kind (Text), and its value.
type kind struct {
	name  string
	value options.Kind
}

// readKinds reads the option kinds from options.go, their one home: each
// constant of type Kind, in order. Each needs a TypeScript type (tsTypes).
func readKinds(path string) ([]kind, error) {
	consts, err := readStringConsts(path, func(v *ast.ValueSpec) bool {
		id, ok := v.Type.(*ast.Ident)
		return ok && id.Name == "Kind"
	})
	if err != nil {
		return nil, err
	}
	out := make([]kind, len(consts))
	for i, c := range consts {
		k := kind{strings.TrimPrefix(c.goName, "Kind"), options.Kind(c.value)}
		if _, ok := tsTypes[k.value]; !ok {
			return nil, fmt.Errorf("%s: the kind %s needs a TypeScript type in wasm/cmd/contract's tsTypes", path, c.goName)
		}
		out[i] = k
	}
	return out, nil
}

// readVersion reads the package's version from package.json, its one
// source (the Makefile links the same into the module as bridge.Version),
// so that the loader knows it before the module runs.
func readVersion(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var p struct{ Version string }
	if err := json.Unmarshal(b, &p); err != nil || p.Version == "" || strings.ContainsAny(p.Version, "'\\\n") {
		return "", fmt.Errorf("%s: no version", path)
	}
	return p.Version, nil
}

func contractJS(codes []code, names []optionName, kinds []kind, version string) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// gotoauth-contract.js: the Go contracts as the loader uses them.\n// %s\n", header)
	p("// Sources: wasm/oauth/errors.go (error codes), wasm/limits (limits),\n")
	p("// wasm/options (options), wasm/oauth (flows, redirects, endpoints),\n// wasm/relayapi (the relay).\n\n")

	p("// The package's version (web/package.json), which the module reports too.\nexport const VERSION = '%s';\n\n", version)
	p("// The error codes, GoToAuthError's `code`, named after their Go constants.\n")
	for _, c := range codes {
		p("/** %s */\nexport const %s = '%s';\n", jsDoc(c.meaning), upperSnake(c.goName), c.value)
	}

	p("\n// The limits: sizes in bytes, counts in entries, times in milliseconds.\n")
	for _, l := range limits.Published {
		doc := l.Doc
		if doc == "" {
			doc = l.Name
		}
		p("/** %s: %s */\nexport const %s = %d;\n", jsDoc(doc), l.Text(), upperSnake(l.Name), l.JS())
	}

	p("\n// The options' names.\n")
	for _, n := range names {
		p("export const %s = '%s';\n", optConstant(n.goName), n.value)
	}

	p("\n// The kinds of option value: how the loader checks and sends each.\nexport const KIND = Object.freeze({\n")
	for _, k := range kinds {
		p("  %s: '%s',\n", k.name, k.value)
	}
	p("});\n\n// The options each call takes: [name, kind, required], in order.\n")
	for _, c := range options.Calls {
		p("export const %s = Object.freeze([\n", upperSnake(c.Name))
		for _, o := range c.Options {
			p("  Object.freeze([%s, '%s', %t]),\n", constantOf(names, o.Name), o.Kind, o.Required)
		}
		p("]);\n")
	}

	p("\n// The names of the flows, in lower case, and the flow each means.\nexport const FLOWS = Object.freeze({\n")
	for _, f := range oauth.FlowNames {
		p("  %s: '%s',\n", f.Name, f.Flow)
	}
	p("});\n\n// An authorization response carries its state and one of these.\n")
	p("export const RESPONSE_STATE = '%s';\nexport const RESPONSE_KINDS = %s;\n", oauth.ResponseState, frozenStrings(oauth.ResponseKinds[:]))

	p("\n// The endpoints a client uses when its configuration names none.\n")
	p("export const DEFAULT_AUTHORIZE_ENDPOINT = '%s';\n", oauth.DefaultAuthorizeEndpoint)
	p("export const DEFAULT_TOKEN_ENDPOINT = '%s';\n", oauth.DefaultTokenEndpoint)
	p("export const DEFAULT_ME_ENDPOINT = '%s';\n", oauth.DefaultMeEndpoint)
	p("export const DEFAULT_API_ORIGINS = %s;\n", frozenStrings(strings.Fields(oauth.DefaultAPIOrigins)))

	p("\n// The token relay's side of the contract (wasm/relayapi): its paths,\n// relative to its folder, the header that marks the page's requests, and\n// its statuses for a refresh without a sign-in and for \"not now\".\n")
	p("export const RELAY_TOKEN_PATH = '%s';\n", relayapi.TokenPath)
	p("export const RELAY_REFRESH_PATH = '%s';\n", relayapi.RefreshPath)
	p("export const RELAY_SIGN_OUT_PATH = '%s';\n", relayapi.SignOutPath)
	p("export const RELAY_HEADER = '%s';\n", relayapi.Header)
	p("export const RELAY_HEADER_VALUE = '%s';\n", relayapi.HeaderValue)
	p("export const RELAY_STATUS_REAUTHENTICATE = %d;\n", relayapi.StatusReauthenticate)
	p("export const RELAY_STATUS_RETRY = %d;\n", relayapi.StatusRetry)
	return []byte(b.String())
}

// frozenStrings writes list as a frozen JS array of quoted strings.
func frozenStrings(list []string) string {
	return "Object.freeze(['" + strings.Join(list, "', '") + "'])"
}

// constantOf is the JS constant that names the option, or its name quoted.
func constantOf(names []optionName, value string) string {
	for _, n := range names {
		if n.value == value {
			return optConstant(n.goName)
		}
	}
	return "'" + value + "'"
}

// optConstant is the JS constant of the option whose Go constant is goName.
func optConstant(goName string) string { return "OPT_" + upperSnake(goName) }

func codesDTS(codes []code) string {
	var b strings.Builder
	b.WriteString("/** Stable error codes; new codes may be added, existing ones never change meaning. */\nexport type GoToAuthErrorCode =\n")
	for i, c := range codes {
		end := ""
		if i == len(codes)-1 {
			end = ";"
		}
		fmt.Fprintf(&b, "  /** %s */\n  | '%s'%s\n", jsDoc(c.meaning), c.value, end)
	}
	return b.String()
}

// tsTypes are the TypeScript types of the option kinds.
var tsTypes = map[options.Kind]string{
	options.KindText: "string", options.KindFlowName: "Flow", options.KindScope: "string | string[]",
	options.KindExtra: "Record<string, string>", options.KindJSON: "unknown", options.KindPageURL: "string",
	options.KindStorage: "PendingStorage", options.KindTimeout: "number", options.KindFlag: "boolean",
	options.KindModuleURL: "string | URL", options.KindModuleBytes: "BufferSource | WebAssembly.Module",
	options.KindOrigins: "string[]",
}

// rule is what the documentation adds to an option of kind k: its limits.
func rule(k options.Kind) string {
	switch k {
	case options.KindScope:
		return "A list of at most " + strconv.Itoa(limits.MaxScopes) + " scopes, or a space-separated string."
	case options.KindExtra:
		return "At most " + strconv.Itoa(limits.MaxExtraParams) + " entries."
	case options.KindOrigins:
		return "At most " + strconv.Itoa(limits.MaxAPIOrigins) + " origins, each scheme://host[:port] alone: https, or http on a loopback host."
	case options.KindJSON:
		return "JSON-serialisable, at most " + limits.Size(limits.MaxAppState) + " as JSON text."
	case options.KindTimeout:
		return "A whole number from " + limits.Millis(limits.MinTimeout) + " to " + limits.Millis(limits.MaxTimeout) +
			" ms; default " + limits.Millis(limits.DefaultTimeout) + "."
	}
	return ""
}

// placeholders are what an option's Doc may name in {{braces}}: the
// endpoints' defaults and every published limit's value.
func placeholders() *strings.Replacer {
	pairs := []string{
		"{{authorizeEndpoint}}", oauth.DefaultAuthorizeEndpoint,
		"{{tokenEndpoint}}", oauth.DefaultTokenEndpoint,
		"{{meEndpoint}}", oauth.DefaultMeEndpoint,
		"{{apiOrigins}}", strings.Join(strings.Fields(oauth.DefaultAPIOrigins), ", "),
	}
	for _, l := range limits.Published {
		pairs = append(pairs, "{{"+l.Name+"}}", l.Text())
	}
	return strings.NewReplacer(pairs...)
}

// limitMention is a limit's value named in prose: the value, then the
// limit's name in backquotes and parentheses.
var limitMention = regexp.MustCompile("\\b\\d[\\d ]*(?: (?:KiB|MiB|days?|minutes?|s|ms))? \\(`(\\w+)`\\)")

// relayTimings are the token relay's times, in the README's order.
func relayTimings() []limits.Limit {
	var all []limits.Limit
	all = append(all, relay.Timings[:]...)
	all = append(all, redisstore.Timings[:]...)
	return append(all, relayserver.Timings[:]...)
}

// inlineLimits rewrites each value that prose names a published limit's,
// or a relay timing's, with its value from Go. A value that names no
// limit is an error, so that prose cannot outlive a renamed one.
func inlineLimits(text []byte) ([]byte, error) {
	byName := map[string]limits.Limit{}
	for _, l := range append(limits.Published[:], relayTimings()...) {
		if _, dup := byName[l.Name]; dup {
			return nil, fmt.Errorf("two limits are named %s", l.Name)
		}
		byName[l.Name] = l
	}
	var unknown []string
	out := limitMention.ReplaceAllFunc(text, func(m []byte) []byte {
		name := string(limitMention.FindSubmatch(m)[1])
		l, ok := byName[name]
		if !ok {
			unknown = append(unknown, string(m))
			return m
		}
		return []byte(l.Text() + " (`" + name + "`)")
	})
	if len(unknown) > 0 {
		return nil, fmt.Errorf("a value names no limit or relay timing: %s", strings.Join(unknown, "; "))
	}
	return out, nil
}

// signature is a call with its options' names in braces, in backquotes:
// `client({clientId, redirectUri, scope?})`, `handleRedirect(url?, {…})`,
// `authorize({})`. Braces holding anything else, `load({wasm: bytes})`,
// are an example, left as they are.
var signature = regexp.MustCompile("`(\\w+)\\(((?:\\w+\\??, )?)\\{(?:\\w+\\??(?:, \\w+\\??)*)?\\}\\)`")

// inlineSignatures rewrites the options of each call's signature from
// wasm/options: the names, a ? after an optional one.
func inlineSignatures(text []byte) []byte {
	lists := map[string]string{}
	for _, c := range options.Calls {
		names := make([]string, len(c.Options))
		for i, o := range c.Options {
			names[i] = o.Name
			if !o.Required {
				names[i] += "?"
			}
		}
		for _, js := range c.JS {
			lists[js] = strings.Join(names, ", ")
		}
	}
	return signature.ReplaceAllFunc(text, func(m []byte) []byte {
		sub := signature.FindSubmatch(m)
		list, ok := lists[string(sub[1])]
		if !ok {
			return m
		}
		return []byte("`" + string(sub[1]) + "(" + string(sub[2]) + "{" + list + "})`")
	})
}

func optionsDTS() string {
	defaults := placeholders()
	var b strings.Builder
	for i, c := range options.Calls {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "/** %s */\nexport interface %s {\n", jsDoc(c.Doc), c.Name)
		for _, o := range c.Options {
			doc := strings.TrimSpace(defaults.Replace(o.Doc) + " " + rule(o.Kind))
			if doc != "" {
				fmt.Fprintf(&b, "  /** %s */\n", jsDoc(doc))
			}
			opt := "?"
			if o.Required {
				opt = ""
			}
			fmt.Fprintf(&b, "  %s%s: %s;\n", o.Name, opt, tsTypes[o.Kind])
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func codesTable(codes []code) string {
	var b strings.Builder
	b.WriteString("| code | when |\n| --- | --- |\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c.value, c.meaning)
	}
	return b.String()
}

func limitsTable() string {
	var b strings.Builder
	b.WriteString("| limit | value |\n| --- | --- |\n")
	for _, l := range limits.Published {
		if l.Doc != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", l.Doc, l.Text())
		}
	}
	return b.String()
}

func relayTimingsTable() string {
	var b strings.Builder
	b.WriteString("| name | what | value |\n| --- | --- | --- |\n")
	for _, l := range relayTimings() {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", l.Name, l.Doc, l.Text())
	}
	return b.String()
}

// replaceRegion puts body between the marker lines of region in text.
func replaceRegion(text []byte, region, body string, markdown bool) ([]byte, error) {
	begin, end := "// BEGIN GENERATED "+region+": "+header, "// END GENERATED "+region
	if markdown {
		begin, end = "<!-- BEGIN GENERATED "+region+": "+header+" -->", "<!-- END GENERATED "+region+" -->"
	}
	s := string(text)
	i := strings.Index(s, begin+"\n")
	j := strings.Index(s, "\n"+end+"\n")
	if i < 0 || j < i || strings.Count(s, begin) != 1 || strings.Count(s, end) != 1 {
		return nil, fmt.Errorf("the region %q needs its marker lines, once each:\n%s\n%s", region, begin, end)
	}
	if markdown {
		body += "\n" // a table ends at a blank line
	}
	return []byte(s[:i+len(begin)+1] + body + s[j+1:]), nil
}

// upperSnake writes a name as a JS constant's name: InvalidArgument →
// INVALID_ARGUMENT, maxString → MAX_STRING, AuthorizeURLOptions →
// AUTHORIZE_URL_OPTIONS, OAuthError → OAUTH_ERROR.
func upperSnake(s string) string {
	s = strings.ReplaceAll(s, "OAuth", "Oauth") // one word: OAUTH_ERROR
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		upper := c >= 'A' && c <= 'Z'
		if i > 0 && upper && (r[i-1] >= 'a' && r[i-1] <= 'z' || i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z' && r[i-1] != '_') {
			b.WriteByte('_')
		}
		b.WriteString(strings.ToUpper(string(c)))
	}
	return b.String()
}

// jsDoc keeps a comment's text from closing the comment.
func jsDoc(s string) string { return strings.ReplaceAll(s, "*/", "*\\/") }
