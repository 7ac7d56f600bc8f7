module github.com/codexgo/common

go 1.24
