// "Share to the group chat" (templates/cards/_share.html): the phone's share sheet where the browser has one;
// otherwise the ready text stays open to copy, with a copy button where the clipboard can be written.
document.addEventListener("click", (event) => {
  const summary = event.target.closest(".share > summary");
  if (summary && navigator.share) {
    const box = summary.parentElement;
    event.preventDefault();
    navigator.share({title: box.dataset.shareTitle, text: box.dataset.shareText, url: box.dataset.shareUrl}).catch(() => {
      box.open = true;  // cancelled or refused: the text to copy instead
    });
    return;
  }
  const copy = event.target.closest(".share-copy");
  if (copy) {
    const box = copy.closest(".share");
    navigator.clipboard.writeText(box.querySelector("textarea").value).then(() => {
      box.querySelector(".share-copied").hidden = false;
    });
  }
});
document.addEventListener("toggle", (event) => {
  const box = event.target;
  if (box.matches && box.matches(".share") && box.open && navigator.clipboard) box.querySelector(".share-copy").hidden = false;
}, true);
