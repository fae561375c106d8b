
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'iadvize-auth' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'iadvize-auth'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'iadvize-auth' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate the brand''s RSA key pair: the private key signs tokens, the public key goes to iAdvize')
            [CompletionResult]::new('pubkey', 'pubkey', [CompletionResultType]::ParameterValue, 'Print the public half of any RSA key, with its fingerprints')
            [CompletionResult]::new('mint', 'mint', [CompletionResultType]::ParameterValue, 'Mint tokens exactly as a brand''s backend must: a JWS signed with the brand''s key (RS256), encrypted to iAdvize''s key (JWE, RSA-OAEP-256 + A256GCM)')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff) on standard output: the overview, or one verb''s page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'iadvize-auth;keygen' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Folder for the two key files; created with mode 0700 when missing')
            [CompletionResult]::new('--bits', '--bits', [CompletionResultType]::ParameterName, 'RSA modulus size: 2048, 3072 or 4096 (2048 to 8192 accepted)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)')
            [CompletionResult]::new('--encrypt', '--encrypt', [CompletionResultType]::ParameterName, 'Encrypt the private key with a passphrase (PKCS#8 PBES2, scrypt + AES-256-CBC)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing key files. Without it, nothing is overwritten')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object instead of the human summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;pubkey' {
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Which key of a JWK Set to read, by its kid (without it, a set of several keys is refused with the list of their kids)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the public key')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)')
            [CompletionResult]::new('--expect-fingerprint', '--expect-fingerprint', [CompletionResultType]::ParameterName, 'Check the key instead of printing it: exit 0 when one of its fingerprints starts with FINGERPRINT, 1 when none does, with one line saying which (with --json, the object says it in `expected_fingerprint`)')
            [CompletionResult]::new('--iadvize', '--iadvize', [CompletionResultType]::ParameterName, 'Use iAdvize''s production public key, built into this program')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: kind, source format, size, fingerprints, warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;mint' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The brand''s private key (any format `pubkey` reads; `-` for standard input)')
            [CompletionResult]::new('--key-kid', '--key-kid', [CompletionResultType]::ParameterName, 'Which key of the JWK Set given as --key to sign with, by its kid')
            [CompletionResult]::new('--key-passphrase-file', '--key-passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of --key, from the first line of FILE (before --passphrase-file)')
            [CompletionResult]::new('--iadvize-key', '--iadvize-key', [CompletionResultType]::ParameterName, 'Recipient key (public or private, any format). Default: iAdvize''s production key')
            [CompletionResult]::new('--iadvize-key-kid', '--iadvize-key-kid', [CompletionResultType]::ParameterName, 'Which key of the JWK Set given as --iadvize-key to encrypt to, by its kid')
            [CompletionResult]::new('--iadvize-key-passphrase-file', '--iadvize-key-passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of --iadvize-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)')
            [CompletionResult]::new('--user-id', '--user-id', [CompletionResultType]::ParameterName, 'The user id: unique and stable per person, at most 255 UTF-16 units as Java counts them (an ASCII character counts 1, an emoji 2); no control or invisible characters')
            [CompletionResult]::new('--user-ids', '--user-ids', [CompletionResultType]::ParameterName, 'Mint one token per user of FILE (`-` for standard input), in order: one user id per line, CSV (commas or semicolons), TSV or JSON Lines, recognised by content (see --input-format)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'How --user-ids FILE is written, when its content does not say it: a first line that starts with `{` is JSON Lines; one that names a column (userId, a visitor data field, ttl) is a header row, its cells separated by commas, semicolons or tabs, whichever separates the names; one with a comma, semicolon or tab but no column named is refused; anything else is one id per line')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Sets the `iss` claim (at most 1 KiB)')
            [CompletionResult]::new('--visitor-data', '--visitor-data', [CompletionResultType]::ParameterName, 'Visitor details: a JSON object of string fields, inline or @FILE')
            [CompletionResult]::new('--visitor', '--visitor', [CompletionResultType]::ParameterName, 'Sets one visitor data field (repeatable); overrides --visitor-data')
            [CompletionResult]::new('--claim', '--claim', [CompletionResultType]::ParameterName, 'Adds a claim whose value is JSON (repeatable), e.g. ''https://iadvize.com/plan="gold"''')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Issue the token at this time instead of now: UNIX seconds (1700000000), RFC 3339 (2026-12-01T10:00:00Z), or relative to now (-1h, +5m, -1h30m). Fixed times give reproducible output')
            [CompletionResult]::new('--fault', '--fault', [CompletionResultType]::ParameterName, 'Make the token faulty on purpose, as a brand''s backend got it wrong (repeatable: faults of different parts combine), to test a page''s failure path. `--list-faults` lists them with the inspect check that catches each and what iAdvize does with it; stderr says the token is faulty')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads for a batch (default: one per core); if the system starts fewer, the batch runs on those')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Threads for a batch (default: one per core); if the system starts fewer, the batch runs on those')
            [CompletionResult]::new('--list-faults', '--list-faults', [CompletionResultType]::ParameterName, 'List the faults --fault makes: what each is, what a backend did to produce it, the inspect check that catches it, and whether iAdvize''s Java library rejects or accepts it')
            [CompletionResult]::new('--jws', '--jws', [CompletionResultType]::ParameterName, 'Print the inner signed JWT instead of the encrypted token (debugging only: iAdvize needs the encrypted one)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per token (JSON Lines); with --list-faults, one array')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;inspect' {
            [CompletionResult]::new('--decrypt-key', '--decrypt-key', [CompletionResultType]::ParameterName, 'Private key the JWE was encrypted to (any format), to open it')
            [CompletionResult]::new('--decrypt-key-kid', '--decrypt-key-kid', [CompletionResultType]::ParameterName, 'Which key of the JWK Set given as --decrypt-key to open the token with, by its kid')
            [CompletionResult]::new('--decrypt-key-passphrase-file', '--decrypt-key-passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of --decrypt-key, from the first line of FILE (before --passphrase-file)')
            [CompletionResult]::new('--verify-key', '--verify-key', [CompletionResultType]::ParameterName, 'The brand''s public (or private) key, to verify the inner signature')
            [CompletionResult]::new('--verify-key-kid', '--verify-key-kid', [CompletionResultType]::ParameterName, 'Which key of the JWK Set given as --verify-key to verify with, by its kid')
            [CompletionResult]::new('--verify-key-passphrase-file', '--verify-key-passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of --verify-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h)')
            [CompletionResult]::new('--leeway', '--leeway', [CompletionResultType]::ParameterName, 'Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'What the token should be: the encrypted token iAdvize receives (jwe), or the brand''s inner signed token taken from its logs before encryption (jws)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per token, one per line (schema in docs/cli.md)')
            [CompletionResult]::new('--brief', '--brief', [CompletionResultType]::ParameterName, 'One line per token (its answer, where it was found, its first cause), then a summary: for a HAR file or a log of many tokens')
            [CompletionResult]::new('--show-tokens', '--show-tokens', [CompletionResultType]::ParameterName, 'Show tokens whole: the inner signed token, and tokens in the places they were found (shortened otherwise, so that a report can be shared)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;decode' {
            [CompletionResult]::new('--decrypt-key', '--decrypt-key', [CompletionResultType]::ParameterName, 'Private key the JWE was encrypted to (any format), to open it')
            [CompletionResult]::new('--decrypt-key-kid', '--decrypt-key-kid', [CompletionResultType]::ParameterName, 'Which key of the JWK Set given as --decrypt-key to open the token with, by its kid')
            [CompletionResult]::new('--decrypt-key-passphrase-file', '--decrypt-key-passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of --decrypt-key, from the first line of FILE (before --passphrase-file)')
            [CompletionResult]::new('--verify-key', '--verify-key', [CompletionResultType]::ParameterName, 'The brand''s public (or private) key, to verify the inner signature')
            [CompletionResult]::new('--verify-key-kid', '--verify-key-kid', [CompletionResultType]::ParameterName, 'Which key of the JWK Set given as --verify-key to verify with, by its kid')
            [CompletionResult]::new('--verify-key-passphrase-file', '--verify-key-passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of --verify-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h)')
            [CompletionResult]::new('--leeway', '--leeway', [CompletionResultType]::ParameterName, 'Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'What the token should be: the encrypted token iAdvize receives (jwe), or the brand''s inner signed token taken from its logs before encryption (jws)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per token, one per line (schema in docs/cli.md)')
            [CompletionResult]::new('--brief', '--brief', [CompletionResultType]::ParameterName, 'One line per token (its answer, where it was found, its first cause), then a summary: for a HAR file or a log of many tokens')
            [CompletionResult]::new('--show-tokens', '--show-tokens', [CompletionResultType]::ParameterName, 'Show tokens whole: the inner signed token, and tokens in the places they were found (shortened otherwise, so that a report can be shared)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address and port to listen on (localhost:PORT is 127.0.0.1:PORT); port 0 picks a free one. Anything but a loopback address needs --access-token-file')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The brand''s private key, which signs the tokens (any format `pubkey` reads). Default: a rehearsal brand key generated for the run, which iAdvize does not know (its public half at /keys). Needed with --production')
            [CompletionResult]::new('--iadvize-key', '--iadvize-key', [CompletionResultType]::ParameterName, 'The stand-in iAdvize''s private key: tokens are encrypted to it and /verify opens them with it. Default: a key pair generated for this run (its public half at /keys)')
            [CompletionResult]::new('--allow-origin', '--allow-origin', [CompletionResultType]::ParameterName, 'A web origin allowed to call this server from a browser (CORS), e.g. https://staging.example.com (repeatable; never `*`)')
            [CompletionResult]::new('--allow-host', '--allow-host', [CompletionResultType]::ParameterName, 'A host name accepted in the Host header besides localhost and loopback addresses (repeatable): the name the page uses to reach this server')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A secret (first line of FILE, at least 16 characters) that /token, /verify and /requests then require as `Authorization: Bearer SECRET`. Required off loopback')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Format of the request log on standard error: one line per request, never a token or a key')
            [CompletionResult]::new('--ready-file', '--ready-file', [CompletionResultType]::ParameterName, 'Write the `{"event":"listening",...}` line to FILE instead of standard output, once the server accepts connections')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)')
            [CompletionResult]::new('--production', '--production', [CompletionResultType]::ParameterName, 'Encrypt to iAdvize''s production key (built in), for QA on a staging site with the real tag: the tokens then sign in to iAdvize. Needs --key; only on a loopback address; /verify cannot open such tokens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iadvize-auth;help' {
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate the brand''s RSA key pair: the private key signs tokens, the public key goes to iAdvize')
            [CompletionResult]::new('pubkey', 'pubkey', [CompletionResultType]::ParameterValue, 'Print the public half of any RSA key, with its fingerprints')
            [CompletionResult]::new('mint', 'mint', [CompletionResultType]::ParameterValue, 'Mint tokens exactly as a brand''s backend must: a JWS signed with the brand''s key (RS256), encrypted to iAdvize''s key (JWE, RSA-OAEP-256 + A256GCM)')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff) on standard output: the overview, or one verb''s page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'iadvize-auth;help;keygen' {
            break
        }
        'iadvize-auth;help;pubkey' {
            break
        }
        'iadvize-auth;help;mint' {
            break
        }
        'iadvize-auth;help;inspect' {
            break
        }
        'iadvize-auth;help;serve' {
            break
        }
        'iadvize-auth;help;completions' {
            break
        }
        'iadvize-auth;help;man' {
            break
        }
        'iadvize-auth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
