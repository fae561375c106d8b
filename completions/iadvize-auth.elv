
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
        }
        &'iadvize-auth;pubkey'= {
            cand --format 'Output format of the public key'
            cand --passphrase-file 'Read the passphrase from the first line of FILE (as `openssl -passin file:`)'
            cand --iadvize 'Use iAdvize''s production public key, built into this program'
            cand --json 'Print one JSON object: kind, source format, size, fingerprints, warnings'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'iadvize-auth;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'iadvize-auth;man'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'iadvize-auth;help'= {
            cand keygen 'Generate the brand''s RSA key pair: the private key signs tokens, the public key goes to iAdvize'
            cand pubkey 'Print the public half of any RSA key, with its fingerprints'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff) on standard output: the overview, or one verb''s page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iadvize-auth;help;keygen'= {
        }
        &'iadvize-auth;help;pubkey'= {
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
