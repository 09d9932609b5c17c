package emulator

import (
	"embed"
	"html/template"
	"net/http"
)

// htmlHeaders sets the headers of the emulator's own pages: nothing but inline
// styles and data: images (the pages' empty icon, <link rel="icon"
// href="data:,">, which keeps Firefox from fetching /favicon.ico against
// this policy) may load, and the form may post to the emulator itself and
// be followed to the client's redirect origin.
func htmlHeaders(w http.ResponseWriter, redirectOrigin string) {
	formAction := "'self'"
	if redirectOrigin != "" {
		formAction += " " + redirectOrigin
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action "+formAction+
		"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
}

// errorPage answers 400 with the error page, for errors after which the user
// must not be redirected.
func errorPage(w http.ResponseWriter, msg string) {
	htmlHeaders(w, "")
	w.WriteHeader(http.StatusBadRequest)
	errorTemplate.Execute(w, msg)
}

// consentData fills templates/consent.html.
type consentData struct {
	ClientID    string
	Scopes      []string
	RedirectURI string
	User        string
	Flow        string
	Action      string
	RequestID   string
}

// templateFiles holds the HTML of the emulator's own pages.
//
//go:embed templates/*.html
var templateFiles embed.FS

// pages is parsed once; html/template escapes every value by its context.
var pages = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

var (
	// consentPage is the consent page, executed with consentData.
	consentPage = pages.Lookup("consent.html")
	// errorTemplate is the error page, executed with the message.
	errorTemplate = pages.Lookup("error.html")
)
