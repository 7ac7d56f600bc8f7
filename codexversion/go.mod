module codexgo.local/codexversion

go 1.24

require github.com/codexgo/common v0.0.0

replace github.com/codexgo/common => ../common
