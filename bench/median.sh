# Sourced by the bench scripts that rerun a lab test: median_range FILE COLUMN prints the median of that column of
# FILE (one line per run, figures separated by spaces) and its range, "median (min..max)".
median_range() {
  sort -n -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%s (%s..%s)", m, v[1], v[NR]}'
}
