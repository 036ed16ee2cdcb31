# doc_block.sh — sourced by the bench scripts: replace_block DOC NAME BLOCKFILE replaces the lines from
# `<!-- NAME:begin -->` to `<!-- NAME:end -->` in DOC with BLOCKFILE (which carries both markers).
replace_block() {
    local doc=$1 name=$2 block=$3
    awk -v blockfile="$block" -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" '
        $0 == b { while ((getline l < blockfile) > 0) print l; skip=1; next }
        $0 == e { skip=0; next }
        !skip' "$doc" > "$block.doc" && cp "$block.doc" "$doc"
}
