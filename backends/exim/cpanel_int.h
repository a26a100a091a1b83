/*
 * cpanel_int.h: the pieces of /bin/sh that cPanel's steps share (cpanel.c,
 * the suspension and its read-back; cpanel_pw.c, the password reset).
 * Each is text to put after FE_BASE (fileedit.h: set -eu, die); the
 * scripts set b (cPanel's bin directory) before they call them.
 */
#ifndef MAILCON_CPANEL_INT_H
#define MAILCON_CPANEL_INT_H

/* need_cp: both of cPanel's tools are where cpanel_bin says. */
#define CP_NEED_TOOLS \
	"need_cp() {\n" \
	"  for x in whmapi1 uapi; do\n" \
	"    [ -x \"$b/$x\" ] || die \"$b/$x: not found: is this a cPanel" \
	    " server? (cpanel_bin)\"\n" \
	"  done\n" \
	"}\n"

/*
 * owner_of ADDR: d is its domain, u the cPanel user who owns it, read
 * from getdomainowner's JSON with perl's JSON::PP (every cPanel server
 * has both); u must be a cPanel user name.
 */
#define CP_OWNER_OF \
	"owner_of() {\n" \
	"  d=${1#*@}\n" \
	"  j=$(\"$b/whmapi1\" --output=json getdomainowner" \
	    " domain=\"$d\") ||\n" \
	"    die \"whmapi1 getdomainowner domain=$d failed\"\n" \
	"  u=$(printf '%s' \"$j\" | perl -MJSON::PP -0777 -ne '\n" \
	"    my $j = eval { decode_json($_) };\n" \
	"    ref $j eq \"HASH\" or exit 2;\n" \
	"    my $m = $j->{metadata} || {};\n" \
	"    if (!$m->{result}) { print STDERR $m->{reason} || \"no reason\";" \
	    " exit 3 }\n" \
	"    my $u = ($j->{data} || {})->{user};\n" \
	"    defined $u && $u =~ /\\A[a-z][a-z0-9]{0,31}\\z/ or exit 4;\n" \
	"    print $u' 2>&1) || die \"whmapi1 getdomainowner domain=$d: no" \
	    " owner of $d (${u:-not an answer})\"\n" \
	"  [ -n \"$u\" ] || die \"whmapi1 getdomainowner domain=$d: no" \
	    " answer\"\n" \
	"}\n"

#endif
