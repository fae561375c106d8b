# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_iadvize_auth_global_optspecs
    string join \n h/help V/version
end

function __fish_iadvize_auth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_iadvize_auth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_iadvize_auth_using_subcommand
    set -l cmd (__fish_iadvize_auth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "keygen" -d 'Generate the brand\'s RSA key pair: the private key signs tokens, the public key goes to iAdvize'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "pubkey" -d 'Print the public half of any RSA key, with its fingerprints'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "mint" -d 'Mint tokens exactly as a brand\'s backend must: a JWS signed with the brand\'s key (RS256), encrypted to iAdvize\'s key (JWE, RSA-OAEP-256 + A256GCM)'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "inspect" -d 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "decode" -d 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "serve" -d 'Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "man" -d 'Print a man page (roff) on standard output: the overview, or one verb\'s page'
complete -c iadvize-auth -n "__fish_iadvize_auth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -l out-dir -d 'Folder for the two key files; created with mode 0700 when missing' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -l bits -d 'RSA modulus size: 2048, 3072 or 4096 (2048 to 8192 accepted)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -l passphrase-file -d 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -l encrypt -d 'Encrypt the private key with a passphrase (PKCS#8 PBES2, scrypt + AES-256-CBC)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -l force -d 'Replace existing key files. Without it, nothing is overwritten'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -l json -d 'Print one JSON object instead of the human summary'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -l kid -d 'Which key of a JWK Set to read, by its kid (without it, a set of several keys is refused with the list of their kids)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -l format -d 'Output format of the public key' -r -f -a "pem\t'`-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo), as `openssl rsa -pubout`'
base64\t'One bare base64 line of the DER, the form iAdvize publishes its key in'
jwk\t'Public JWK (`kty`, `n`, `e`), with `kid` (its RFC 7638 thumbprint), `use` and `alg` (`sig` and RS256 for a brand\'s key; `enc` and RSA-OAEP-256 for iAdvize\'s)'
fingerprint\t'One line: the size and the OpenSSH fingerprint (as `ssh-keygen -lf` prints them), the SHA-256 fingerprint of the DER public key (hex), the JWK thumbprint, and the key type'
der\t'Raw DER bytes (refused on a terminal: redirect to a file)'"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -l passphrase-file -d 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -l expect-fingerprint -d 'Check the key instead of printing it: exit 0 when one of its fingerprints starts with FINGERPRINT, 1 when none does, with one line saying which (with --json, the object says it in `expected_fingerprint`)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -l iadvize -d 'Use iAdvize\'s production public key, built into this program'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -l json -d 'Print one JSON object: kind, source format, size, fingerprints, warnings'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand pubkey" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l key -d 'The brand\'s private key (any format `pubkey` reads; `-` for standard input)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l key-kid -d 'Which key of the JWK Set given as --key to sign with, by its kid' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l key-passphrase-file -d 'The passphrase of --key, from the first line of FILE (before --passphrase-file)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l iadvize-key -d 'Recipient key (public or private, any format). Default: iAdvize\'s production key' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l iadvize-key-kid -d 'Which key of the JWK Set given as --iadvize-key to encrypt to, by its kid' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l iadvize-key-passphrase-file -d 'The passphrase of --iadvize-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l passphrase-file -d 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l user-id -d 'The user id: unique and stable per person, at most 255 UTF-16 units as Java counts them (an ASCII character counts 1, an emoji 2); no control or invisible characters' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l user-ids -d 'Mint one token per user of FILE (`-` for standard input), in order: one user id per line, CSV (commas or semicolons), TSV or JSON Lines, recognised by content (see --input-format)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l input-format -d 'How --user-ids FILE is written, when its content does not say it: a first line that starts with `{` is JSON Lines; one that names a column (userId, a visitor data field, ttl) is a header row, its cells separated by commas, semicolons or tabs, whichever separates the names; one with a comma, semicolon or tab but no column named is refused; anything else is one id per line' -r -f -a "csv\t'Cells separated by commas, with a header row naming userId'
csv-semicolon\t'Cells separated by semicolons (as Excel saves "CSV" where the comma is the decimal separator), with a header row naming userId'
tsv\t'Cells separated by tabs, with a header row naming userId'
jsonl\t'JSON Lines: one {"userId": …} object per line'
lines\t'One user id per line'"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l ttl -d 'Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l issuer -d 'Sets the `iss` claim (at most 1 KiB)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l visitor-data -d 'Visitor details: a JSON object of string fields, inline or @FILE' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l visitor -d 'Sets one visitor data field (repeatable); overrides --visitor-data' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l claim -d 'Adds a claim whose value is JSON (repeatable), e.g. \'https://iadvize.com/plan="gold"\'' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l now -d 'Issue the token at this time instead of now: UNIX seconds (1700000000), RFC 3339 (2026-12-01T10:00:00Z), or relative to now (-1h, +5m, -1h30m). Fixed times give reproducible output' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l fault -d 'Make the token faulty on purpose, as a brand\'s backend got it wrong (repeatable: faults of different parts combine), to test a page\'s failure path. `--list-faults` lists them with the inspect check that catches each and what iAdvize does with it; stderr says the token is faulty' -r -f -a "expired\t''
not-yet-valid\t''
exp-millis\t''
no-exp\t''
long-lived\t''
no-user-id\t''
empty-user-id\t''
user-id-too-long\t''
unprefixed-user-id\t''
user-id-as-sub\t''
user-id-number\t''
visitor-data-not-string\t''
jws-hs256\t''
jws-none\t''
jws-rs512\t''
wrong-signer\t''
bad-signature\t''
unsigned\t''
jwe-rsa-oaep\t''
jwe-rsa1_5\t''
jwe-a128gcm\t''
jwe-a256cbc-hs512\t''
no-cty\t''
wrong-recipient\t''
plain-jws\t''
double-encrypted\t''
json-serialized\t''
padded-base64\t''
truncated\t''
quoted\t''"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -s j -l jobs -d 'Threads for a batch (default: one per core); if the system starts fewer, the batch runs on those' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l list-faults -d 'List the faults --fault makes: what each is, what a backend did to produce it, the inspect check that catches it, and whether iAdvize\'s Java library rejects or accepts it'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l jws -d 'Print the inner signed JWT instead of the encrypted token (debugging only: iAdvize needs the encrypted one)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -l json -d 'Print one JSON object per token (JSON Lines); with --list-faults, one array'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand mint" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l decrypt-key -d 'Private key the JWE was encrypted to (any format), to open it' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l decrypt-key-kid -d 'Which key of the JWK Set given as --decrypt-key to open the token with, by its kid' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l decrypt-key-passphrase-file -d 'The passphrase of --decrypt-key, from the first line of FILE (before --passphrase-file)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l verify-key -d 'The brand\'s public (or private) key, to verify the inner signature' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l verify-key-kid -d 'Which key of the JWK Set given as --verify-key to verify with, by its kid' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l verify-key-passphrase-file -d 'The passphrase of --verify-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l passphrase-file -d 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l now -d 'Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l leeway -d 'Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l expect -d 'What the token should be: the encrypted token iAdvize receives (jwe), or the brand\'s inner signed token taken from its logs before encryption (jws)' -r -f -a "jwe\t'The encrypted token (JWE) handed to iAdvize'
jws\t'The inner signed token (JWS), before encryption'"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l color -d 'Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l json -d 'Print one JSON object per token, one per line (schema in docs/cli.md)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l brief -d 'One line per token (its answer, where it was found, its first cause), then a summary: for a HAR file or a log of many tokens'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -l show-tokens -d 'Show tokens whole: the inner signed token, and tokens in the places they were found (shortened otherwise, so that a report can be shared)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l decrypt-key -d 'Private key the JWE was encrypted to (any format), to open it' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l decrypt-key-kid -d 'Which key of the JWK Set given as --decrypt-key to open the token with, by its kid' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l decrypt-key-passphrase-file -d 'The passphrase of --decrypt-key, from the first line of FILE (before --passphrase-file)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l verify-key -d 'The brand\'s public (or private) key, to verify the inner signature' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l verify-key-kid -d 'Which key of the JWK Set given as --verify-key to verify with, by its kid' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l verify-key-passphrase-file -d 'The passphrase of --verify-key, when it is an encrypted private key, from the first line of FILE (before --passphrase-file)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l passphrase-file -d 'The passphrase of every encrypted key without its own passphrase file, from the first line of FILE (as `openssl -passin file:`)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l now -d 'Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l leeway -d 'Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l expect -d 'What the token should be: the encrypted token iAdvize receives (jwe), or the brand\'s inner signed token taken from its logs before encryption (jws)' -r -f -a "jwe\t'The encrypted token (JWE) handed to iAdvize'
jws\t'The inner signed token (JWS), before encryption'"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l color -d 'Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l json -d 'Print one JSON object per token, one per line (schema in docs/cli.md)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l brief -d 'One line per token (its answer, where it was found, its first cause), then a summary: for a HAR file or a log of many tokens'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -l show-tokens -d 'Show tokens whole: the inner signed token, and tokens in the places they were found (shortened otherwise, so that a report can be shared)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand decode" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l listen -d 'Address and port to listen on (localhost:PORT is 127.0.0.1:PORT); port 0 picks a free one. Anything but a loopback address needs --access-token-file' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l key -d 'The brand\'s private key, which signs the tokens (any format `pubkey` reads). Default: a rehearsal brand key generated for the run, which iAdvize does not know (its public half at /keys). Needed with --production' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l iadvize-key -d 'The stand-in iAdvize\'s private key: tokens are encrypted to it and /verify opens them with it. Default: a key pair generated for this run (its public half at /keys)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l allow-origin -d 'A web origin allowed to call this server from a browser (CORS), e.g. https://staging.example.com (repeatable; never `*`)' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l allow-host -d 'A host name accepted in the Host header besides localhost and loopback addresses (repeatable): the name the page uses to reach this server' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l ttl -d 'Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute' -r
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l access-token-file -d 'A secret (first line of FILE, at least 16 characters) that /token, /verify and /requests then require as `Authorization: Bearer SECRET`. Required off loopback' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l log -d 'Format of the request log on standard error: one line per request, never a token or a key' -r -f -a "text\t'One human-readable line per request'
json\t'One JSON object per request (JSON Lines)'"
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l ready-file -d 'Write the `{"event":"listening",...}` line to FILE instead of standard output, once the server accepts connections' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l passphrase-file -d 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)' -r -F
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -l production -d 'Encrypt to iAdvize\'s production key (built in), for QA on a staging site with the real tag: the tokens then sign in to iAdvize. Needs --key; only on a loopback address; /verify cannot open such tokens'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand serve" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand completions" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand man" -s V -l version -d 'Print version'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "keygen" -d 'Generate the brand\'s RSA key pair: the private key signs tokens, the public key goes to iAdvize'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "pubkey" -d 'Print the public half of any RSA key, with its fingerprints'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "mint" -d 'Mint tokens exactly as a brand\'s backend must: a JWS signed with the brand\'s key (RS256), encrypted to iAdvize\'s key (JWE, RSA-OAEP-256 + A256GCM)'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "inspect" -d 'Say whether iAdvize accepts a token, what is wrong with it, and how to fix it'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "serve" -d 'Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "man" -d 'Print a man page (roff) on standard output: the overview, or one verb\'s page'
complete -c iadvize-auth -n "__fish_iadvize_auth_using_subcommand help; and not __fish_seen_subcommand_from keygen pubkey mint inspect serve completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
