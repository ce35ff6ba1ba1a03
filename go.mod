module github.com/dmprivacy/dmprivacy

go 1.26.8
