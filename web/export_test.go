package web

// ParseDiff exposes the diff parser to the black-box fuzz test.
var ParseDiff = parseDiff

// Rebuild writes parsed lines back as text, marks included.
func Rebuild(lines []diffLine) []string {
	var out []string
	for _, l := range lines {
		if l.Kind != lineInline {
			out = append(out, l.Text)
			continue
		}
		s := "~ "
		for _, seg := range l.Segs {
			switch seg.Op {
			case "del":
				s += "[-" + seg.Text + "-]"
			case "ins":
				s += "{+" + seg.Text + "+}"
			default:
				s += seg.Text
			}
		}
		out = append(out, s)
	}
	return out
}
