module github.com/parley-dev/parley

go 1.26.0
