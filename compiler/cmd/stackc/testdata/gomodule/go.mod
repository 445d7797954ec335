// An application in its own Go module that builds stackc's registry into
// its tree (stackc build -o monitoring) and imports it. The test copies this
// directory, points the replace below at the repository and runs go build.
module example.com/ordersapp

go 1.26

require github.com/stackc/stackc v0.0.0

replace github.com/stackc/stackc => ../../../../..
