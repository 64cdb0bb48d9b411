#!/usr/bin/env bash
# Rewrites docs/parameters.md's parameter reference: the lines between <!-- BEGIN pipeline stages -->
# and <!-- END pipeline stages --> become the exact output of `pipeline stages`, which derives
# every table from the stage contracts (Sources/Formats/*Contract.swift) and the models'
# declarations. PipelineTests' ReadmeTests fails until the file is current. Run it after
# changing a parameter, an output or a model hyper-parameter:
#   scripts/update_parameter_reference.sh
set -euo pipefail
cd "$(dirname "$0")/.."
reference=docs/parameters.md
swift build --product pipeline >&2
generated=$(mktemp)
trap 'rm -f "$generated" "$generated.reference"' EXIT
"$(swift build --show-bin-path)/pipeline" stages > "$generated"
awk -v generated="$generated" -v reference="$reference" '
    /^<!-- END pipeline stages -->$/ { inside = 0; ended = 1 }
    !inside { print }
    /^<!-- BEGIN pipeline stages -->$/ { while ((getline line < generated) > 0) print line; inside = 1; begun = 1 }
    END {
        if (!begun || !ended || inside) {
            print "error: " reference " needs a line <!-- BEGIN pipeline stages --> and, after it, a line <!-- END pipeline stages -->" > "/dev/stderr"
            exit 1
        }
    }
' "$reference" > "$generated.reference"
cat "$generated.reference" > "$reference"
echo "$reference: parameter reference updated from \`pipeline stages\`" >&2
