module gotoauth

go 1.26

require (
	github.com/hack-pad/safejs v0.1.0
	honnef.co/go/js/dom/v2 v2.0.0-20231112215516-51f43a291193
)
