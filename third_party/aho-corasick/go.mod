module github.com/petar-dambovaliev/aho-corasick

go 1.15
