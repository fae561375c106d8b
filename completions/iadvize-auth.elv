
use builtin;
use str;

set edit:completion:arg-completer[iadvize-auth] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'iadvize-auth'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'iadvize-auth'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand keygen 'Generate the brand''s RSA key pair: the private key signs tokens, the public key goes to iAdvize'
            cand pubkey 'Print the public half of any RSA key, with its fingerprints'
            cand mint 'Mint tokens exactly as a brand''s backend must: a JWS signed with the brand''s key (RS256), encrypted to iAdvize''s key (JWE, RSA-OAEP-256 + A256GCM)'
            cand inspect 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it'
            cand decode 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it'
            cand serve 'Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff) on standard output: the overview, or one verb''s page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iadvize-auth;keygen'= {
            cand --out-dir 'Folder for the two key files; created with mode 0700 when missing'
            cand --bits 'RSA modulus size: 2048, 3072 or 4096 (2048 to 8192 accepted)'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)'
            cand --encrypt 'Encrypt the private key with a passphrase (PKCS#8 PBES2, scrypt + AES-256-CBC)'
            cand --force 'Replace existing key files. Without it, nothing is overwritten'
            cand --json 'Print one JSON object instead of the human summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;pubkey'= {
            cand --kid 'Which key of a JWK Set to read, by its kid (without it, a set of several keys is refused with the list of their kids)'
            cand --format 'Output format of the public key'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)'
            cand --expect-fingerprint 'Check the key instead of printing it: exit 0 when one of its fingerprints starts with FINGERPRINT, 1 when none does, with one line saying which (with --json, the object says it in `expected_fingerprint`)'
            cand --iadvize 'Use iAdvize''s production public key, built into this program'
            cand --json 'Print one JSON object: kind, source format, size, fingerprints, warnings'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;mint'= {
            cand --key 'The brand''s private key (any format `pubkey` reads; `-` for standard input)'
            cand --key-kid 'Which key of the JWK Set given as --key to sign with, by its kid'
            cand --key-passphrase-file 'The passphrase of --key, from the first line of FILE (before --passphrase-file)'
            cand --iadvize-key 'Recipient key (public or private, any format). Default: iAdvize''s production key'
            cand --iadvize-key-kid 'Which key of the JWK Set given as --iadvize-key to encrypt to, by its kid'
            cand --iadvize-key-passphrase-file 'The passphrase of --iadvize-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)'
            cand --passphrase-file 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)'
            cand --user-id 'The user id: unique and stable per person, at most 255 UTF-16 units as Java counts them (an ASCII character counts 1, an emoji 2); no control or invisible characters'
            cand --user-ids 'Mint one token per user of FILE (`-` for standard input), in order: one user id per line, CSV (commas or semicolons), TSV or JSON Lines, recognised by content (see --input-format)'
            cand --input-format 'How --user-ids FILE is written, when its content does not say it: a first line that starts with `{` is JSON Lines; one that names a column (userId, a visitor data field, ttl) is a header row, its cells separated by commas, semicolons or tabs, whichever separates the names; one with a comma, semicolon or tab but no column named is refused; anything else is one id per line'
            cand --ttl 'Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute'
            cand --issuer 'Sets the `iss` claim (at most 1 KiB)'
            cand --visitor-data 'Visitor details: a JSON object of string fields, inline or @FILE'
            cand --visitor 'Sets one visitor data field (repeatable); overrides --visitor-data'
            cand --claim 'Adds a claim whose value is JSON (repeatable), e.g. ''https://iadvize.com/plan="gold"'''
            cand --now 'Issue the token at this time instead of now: UNIX seconds (1700000000), RFC 3339 (2026-12-01T10:00:00Z), or relative to now (-1h, +5m, -1h30m). Fixed times give reproducible output'
            cand --fault 'Make the token faulty on purpose, as a brand''s backend got it wrong (repeatable: faults of different parts combine), to test a page''s failure path. `--list-faults` lists them with the inspect check that catches each and what iAdvize does with it; stderr says the token is faulty'
            cand -j 'Threads for a batch (default: one per core); if the system starts fewer, the batch runs on those'
            cand --jobs 'Threads for a batch (default: one per core); if the system starts fewer, the batch runs on those'
            cand --list-faults 'List the faults --fault makes: what each is, what a backend did to produce it, the inspect check that catches it, and whether iAdvize''s Java library rejects or accepts it'
            cand --jws 'Print the inner signed JWT instead of the encrypted token (debugging only: iAdvize needs the encrypted one)'
            cand --json 'Print one JSON object per token (JSON Lines); with --list-faults, one array'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;inspect'= {
            cand --decrypt-key 'Private key the JWE was encrypted to (any format), to open it'
            cand --decrypt-key-kid 'Which key of the JWK Set given as --decrypt-key to open the token with, by its kid'
            cand --decrypt-key-passphrase-file 'The passphrase of --decrypt-key, from the first line of FILE (before --passphrase-file)'
            cand --verify-key 'The brand''s public (or private) key, to verify the inner signature'
            cand --verify-key-kid 'Which key of the JWK Set given as --verify-key to verify with, by its kid'
            cand --verify-key-passphrase-file 'The passphrase of --verify-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)'
            cand --passphrase-file 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)'
            cand --now 'Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h)'
            cand --leeway 'Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m'
            cand --expect 'What the token should be: the encrypted token iAdvize receives (jwe), or the brand''s inner signed token taken from its logs before encryption (jws)'
            cand --color 'Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print one JSON object per token, one per line (schema in docs/cli.md)'
            cand --brief 'One line per token (its answer, where it was found, its first cause), then a summary: for a HAR file or a log of many tokens'
            cand --show-tokens 'Show tokens whole: the inner signed token, and tokens in the places they were found (shortened otherwise, so that a report can be shared)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;decode'= {
            cand --decrypt-key 'Private key the JWE was encrypted to (any format), to open it'
            cand --decrypt-key-kid 'Which key of the JWK Set given as --decrypt-key to open the token with, by its kid'
            cand --decrypt-key-passphrase-file 'The passphrase of --decrypt-key, from the first line of FILE (before --passphrase-file)'
            cand --verify-key 'The brand''s public (or private) key, to verify the inner signature'
            cand --verify-key-kid 'Which key of the JWK Set given as --verify-key to verify with, by its kid'
            cand --verify-key-passphrase-file 'The passphrase of --verify-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)'
            cand --passphrase-file 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)'
            cand --now 'Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h)'
            cand --leeway 'Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m'
            cand --expect 'What the token should be: the encrypted token iAdvize receives (jwe), or the brand''s inner signed token taken from its logs before encryption (jws)'
            cand --color 'Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --json 'Print one JSON object per token, one per line (schema in docs/cli.md)'
            cand --brief 'One line per token (its answer, where it was found, its first cause), then a summary: for a HAR file or a log of many tokens'
            cand --show-tokens 'Show tokens whole: the inner signed token, and tokens in the places they were found (shortened otherwise, so that a report can be shared)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;serve'= {
            cand --listen 'Address and port to listen on (localhost:PORT is 127.0.0.1:PORT); port 0 picks a free one. Anything but a loopback address needs --access-token-file'
            cand --key 'The brand''s private key, which signs the tokens (any format `pubkey` reads). Default: a rehearsal brand key generated for the run, which iAdvize does not know (its public half at /keys). Needed with --production'
            cand --iadvize-key 'The stand-in iAdvize''s private key: tokens are encrypted to it and /verify opens them with it. Default: a key pair generated for this run (its public half at /keys)'
            cand --allow-origin 'A web origin allowed to call this server from a browser (CORS), e.g. https://staging.example.com (repeatable; never `*`)'
            cand --allow-host 'A host name accepted in the Host header besides localhost and loopback addresses (repeatable): the name the page uses to reach this server'
            cand --ttl 'Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute'
            cand --access-token-file 'A secret (first line of FILE, at least 16 characters) that /token, /verify and /requests then require as `Authorization: Bearer SECRET`. Required off loopback'
            cand --log 'Format of the request log on standard error: one line per request, never a token or a key'
            cand --ready-file 'Write the `{"event":"listening",...}` line to FILE instead of standard output, once the server accepts connections'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)'
            cand --production 'Encrypt to iAdvize''s production key (built in), for QA on a staging site with the real tag: the tokens then sign in to iAdvize. Needs --key; only on a loopback address; /verify cannot open such tokens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;man'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iadvize-auth;help'= {
            cand keygen 'Generate the brand''s RSA key pair: the private key signs tokens, the public key goes to iAdvize'
            cand pubkey 'Print the public half of any RSA key, with its fingerprints'
            cand mint 'Mint tokens exactly as a brand''s backend must: a JWS signed with the brand''s key (RS256), encrypted to iAdvize''s key (JWE, RSA-OAEP-256 + A256GCM)'
            cand inspect 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it'
            cand serve 'Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff) on standard output: the overview, or one verb''s page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iadvize-auth;help;keygen'= {
        }
        &'iadvize-auth;help;pubkey'= {
        }
        &'iadvize-auth;help;mint'= {
        }
        &'iadvize-auth;help;inspect'= {
        }
        &'iadvize-auth;help;serve'= {
        }
        &'iadvize-auth;help;completions'= {
        }
        &'iadvize-auth;help;man'= {
        }
        &'iadvize-auth;help;help'= {
        }
    ]
    $completions[$command]
}
