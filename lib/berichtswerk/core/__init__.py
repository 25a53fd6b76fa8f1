"""The core: what every other part of berichtswerk builds on and which imports none of them –
where things are (:mod:`.paths`), errors and exit codes (:mod:`.errors`, :mod:`.exitcodes`), content
hashes (:mod:`.hashing`), writing files atomically (:mod:`.files`), reading text and YAML with the
problems a report author can act on (:mod:`.textfiles`), German number formats (:mod:`.formats`),
package versions (:mod:`.versions`), the MIME types that carry report blocks out of a kernel
(:mod:`.mime`) and ending a process tree (:mod:`.processes`)."""
