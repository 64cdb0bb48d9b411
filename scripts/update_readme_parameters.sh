#!/usr/bin/env bash
# Rewrites README.md's "Parameter reference": the lines between <!-- BEGIN pipeline stages -->
# and <!-- END pipeline stages --> become the exact output of `pipeline stages`, which derives
# every table from the stage contracts (Sources/Formats/*Contract.swift) and the models'
# declarations. PipelineTests' ReadmeTests fails until the README is current. Run it after
# changing a parameter, an output or a model hyper-parameter:
#   scripts/update_readme_parameters.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product pipeline >&2
generated=$(mktemp)
trap 'rm -f "$generated" "$generated.readme"' EXIT
"$(swift build --show-bin-path)/pipeline" stages > "$generated"
awk -v generated="$generated" '
    /^<!-- END pipeline stages -->$/ { inside = 0; ended = 1 }
    !inside { print }
    /^<!-- BEGIN pipeline stages -->$/ { while ((getline line < generated) > 0) print line; inside = 1; begun = 1 }
    END {
        if (!begun || !ended || inside) {
            print "error: README.md needs a line <!-- BEGIN pipeline stages --> and, after it, a line <!-- END pipeline stages -->" > "/dev/stderr"
            exit 1
        }
    }
' README.md > "$generated.readme"
cat "$generated.readme" > README.md
echo "README.md: parameter reference updated from \`pipeline stages\`" >&2
