package highlight

import "strings"

// Keyword and literal lists per family, as constants so nothing is built
// until a language is first used.
const (
	cKeywords = "auto break case char const continue default do double else enum extern float for goto if inline int long " +
		"register return short signed sizeof static struct switch typedef union unsigned void volatile while " +
		"class namespace template typename public private protected virtual override new delete this try catch throw " +
		"using operator friend explicit constexpr noexcept static_cast dynamic_cast reinterpret_cast const_cast " +
		"abstract extends final implements import instanceof interface package super synchronized throws transient " +
		"var val fun object when is in out internal data sealed companion lateinit let func guard defer protocol " +
		"extension struct self init deinit async await yield foreach readonly ref base lock event delegate"
	cLiterals = "true false null nullptr NULL nil bool boolean byte string String int8 int16 int32 int64 uint8 uint16 " +
		"uint32 uint64 size_t Integer Object Boolean Double Float Long Unit Any None"
	goKeywords = "break case chan const continue default defer else fallthrough for func go goto if import interface " +
		"map package range return select struct switch type var"
	goLiterals = "true false nil iota any bool byte complex64 complex128 error float32 float64 int int8 int16 int32 " +
		"int64 rune string uint uint8 uint16 uint32 uint64 uintptr append cap clear close complex copy delete imag " +
		"len make max min new panic print println real recover"
	pyKeywords = "and as assert async await break class continue def del elif else except finally for from global if " +
		"import in is lambda nonlocal not or pass raise return try while with yield match case"
	pyLiterals = "True False None self cls int str float bool list dict set tuple bytes object print len range " +
		"isinstance open super type Exception ValueError TypeError KeyError"
	jsKeywords = "async await break case catch class const continue debugger default delete do else export extends " +
		"finally for function if import in instanceof let new of return static super switch this throw try typeof " +
		"var void while with yield from as type interface enum implements private public protected readonly declare " +
		"namespace abstract keyof satisfies"
	jsLiterals = "true false null undefined NaN Infinity console window document string number boolean any unknown " +
		"never void object Array Object Promise Map Set Error JSON Math"
	rsKeywords = "as async await break const continue crate dyn else enum extern fn for if impl in let loop match mod " +
		"move mut pub ref return static struct super trait type unsafe use where while macro_rules"
	rsLiterals = "true false self Self None Some Ok Err bool char str String i8 i16 i32 i64 i128 isize u8 u16 u32 " +
		"u64 u128 usize f32 f64 Vec Option Result Box"
	shKeywords = "if then else elif fi case esac for select while until do done in function time coproc return exit " +
		"break continue local export readonly declare typeset unset shift source alias set trap eval exec"
	shLiterals = "echo printf cd pwd test true false read cat grep sed awk ls rm cp mv mkdir git go make npm"
	rbKeywords = "alias and begin break case class def defined do else elsif end ensure for if in module next not or " +
		"redo rescue retry return self super then undef unless until when while yield require attr_accessor"
	rbLiterals  = "true false nil puts"
	sqlKeywords = "select from where and or not insert into values update set delete create table drop alter index " +
		"join left right inner outer on group by order having limit offset as distinct union all primary key " +
		"foreign references null is in exists between like case when then else end begin commit rollback with " +
		"SELECT FROM WHERE AND OR NOT INSERT INTO VALUES UPDATE SET DELETE CREATE TABLE DROP ALTER INDEX JOIN LEFT " +
		"RIGHT INNER OUTER ON GROUP BY ORDER HAVING LIMIT OFFSET AS DISTINCT UNION ALL PRIMARY KEY FOREIGN " +
		"REFERENCES NULL IS IN EXISTS BETWEEN LIKE CASE WHEN THEN ELSE END BEGIN COMMIT ROLLBACK WITH"
	luaKeywords = "and break do else elseif end for function goto if in local not or repeat return then until while"
	luaLiterals = "true false nil self print pairs ipairs require"
	phpKeywords = "abstract and array as break case catch class clone const continue declare default do echo else " +
		"elseif empty extends final finally fn for foreach function global if implements include instanceof " +
		"interface isset list match namespace new or print private protected public require return static switch " +
		"throw trait try unset use var while yield"
	jsonLiterals = "true false null"
)

func words(kws, lits string) map[string]Kind {
	m := map[string]Kind{}
	for _, w := range strings.Fields(kws) {
		m[w] = Keyword
	}
	for _, w := range strings.Fields(lits) {
		m[w] = Literal
	}
	return m
}

// lookup returns the syntax for a fence's language name, or nil.
func lookup(lang string) *syntax {
	lang = strings.ToLower(strings.TrimSpace(lang))
	switch lang {
	case "go", "golang":
		return &syntax{line: []string{"//"}, block: [2]string{"/*", "*/"}, quotes: "\"'`", keywords: words(goKeywords, goLiterals)}
	case "c", "h", "cpp", "c++", "cc", "cxx", "hpp", "java", "kotlin", "kt", "swift", "cs", "csharp", "c#", "scala", "dart", "zig", "groovy":
		return &syntax{line: []string{"//"}, block: [2]string{"/*", "*/"}, quotes: "\"'", keywords: words(cKeywords, cLiterals)}
	case "js", "javascript", "jsx", "mjs", "cjs", "ts", "typescript", "tsx", "node":
		return &syntax{line: []string{"//"}, block: [2]string{"/*", "*/"}, quotes: "\"'`", keywords: words(jsKeywords, jsLiterals)}
	case "rust", "rs":
		return &syntax{line: []string{"//"}, block: [2]string{"/*", "*/"}, quotes: "\"", keywords: words(rsKeywords, rsLiterals)}
	case "python", "py", "python3", "py3":
		return &syntax{line: []string{"#"}, quotes: "\"'", keywords: words(pyKeywords, pyLiterals)}
	case "sh", "bash", "shell", "zsh", "console", "shell-session", "fish", "ksh", "dockerfile", "docker", "makefile", "make":
		return &syntax{line: []string{"#"}, quotes: "\"'", keywords: words(shKeywords, shLiterals), varSigil: true}
	case "ruby", "rb":
		return &syntax{line: []string{"#"}, quotes: "\"'", keywords: words(rbKeywords, rbLiterals)}
	case "sql", "postgres", "postgresql", "mysql", "sqlite":
		return &syntax{line: []string{"--"}, block: [2]string{"/*", "*/"}, quotes: "'\"", keywords: words(sqlKeywords, "")}
	case "lua":
		return &syntax{line: []string{"--"}, quotes: "\"'", keywords: words(luaKeywords, luaLiterals)}
	case "php":
		return &syntax{line: []string{"//", "#"}, block: [2]string{"/*", "*/"}, quotes: "\"'", keywords: words(phpKeywords, jsonLiterals), varSigil: true}
	case "json", "jsonc", "json5", "jsonl":
		return &syntax{line: []string{"//"}, quotes: "\"", keywords: words("", jsonLiterals)}
	case "yaml", "yml", "toml", "ini", "conf", "properties", "env", "dotenv":
		return &syntax{line: []string{"#", ";"}, quotes: "\"'", keywords: words("", "true false null yes no on off")}
	case "html", "xml", "svg", "vue", "svelte":
		return &syntax{block: [2]string{"<!--", "-->"}, quotes: "\"", keywords: words("", ""), markup: true}
	case "css", "scss", "less":
		return &syntax{block: [2]string{"/*", "*/"}, quotes: "\"'", keywords: words("important", "")}
	case "diff", "patch", "udiff":
		return &syntax{diff: true}
	}
	return nil
}
